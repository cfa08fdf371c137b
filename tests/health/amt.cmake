# tests/health/amt.cmake: the RFC 7450 codec, amt-responder's parts, and the
# gateway probe against the real amt-responder binary on 127.0.0.1. Included
# from tests/health/CMakeLists.txt.
driad_unit_test(health_amt_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/amt_wire_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/amt_probe_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/amt_responder_test.cpp
  LIBS driad_amt_probe driad_amt_responder driad_test_support)
target_compile_definitions(health_amt_test PRIVATE
  AMT_RESPONDER_PATH="$<TARGET_FILE:amt-responder>")
add_dependencies(health_amt_test amt-responder)
