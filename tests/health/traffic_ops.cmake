# tests/health/traffic_ops.cmake: the Traffic Ops feed's pure parts (body
# parsers, topology cache, credentials), and the client and feed against the
# real to-sim binary over HTTP and HTTPS. Included from tests/health/CMakeLists.txt.
driad_unit_test(traffic_ops_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_json_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/topology_cache_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_credentials_test.cpp
  LIBS driad_traffic_ops nlohmann_json::nlohmann_json)
target_compile_definitions(traffic_ops_test PRIVATE DRIAD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

driad_unit_test(traffic_ops_http_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_client_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_feed_test.cpp
    ${CMAKE_CURRENT_LIST_DIR}/to_sim_process.cpp
  LIBS driad_traffic_ops driad_test_support CURL::libcurl nlohmann_json::nlohmann_json)
target_compile_definitions(traffic_ops_http_test PRIVATE
  TO_SIM_PATH="$<TARGET_FILE:to-sim>" DRIAD_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(traffic_ops_http_test to-sim)
