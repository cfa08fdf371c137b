# health/amt.cmake: the RFC 7450 gateway probe and its codec, included from
# health/CMakeLists.txt (kept apart so the gNMI feed's rules can land beside it).
add_library(driad_amt_probe STATIC
  ${CMAKE_CURRENT_LIST_DIR}/amt_wire.cpp
  ${CMAKE_CURRENT_LIST_DIR}/amt_probe.cpp)
target_include_directories(driad_amt_probe PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(driad_amt_probe
  PUBLIC driad_policy Boost::boost tl::expected Threads::Threads)
