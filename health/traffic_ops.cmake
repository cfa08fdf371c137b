# health/traffic_ops.cmake: the Traffic Ops topology feed (libcurl client,
# body parsers, disk cache), included from health/CMakeLists.txt.
add_library(driad_traffic_ops STATIC
  ${CMAKE_CURRENT_LIST_DIR}/json_fields.cpp
  ${CMAKE_CURRENT_LIST_DIR}/topology_cache.cpp
  ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_client.cpp
  ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_credentials.cpp
  ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_feed.cpp
  ${CMAKE_CURRENT_LIST_DIR}/traffic_ops_json.cpp)
target_include_directories(driad_traffic_ops PUBLIC ${PROJECT_SOURCE_DIR})
# driad_health: Backoff, FeedCounters and EnvLookup.
target_link_libraries(driad_traffic_ops
  PUBLIC driad_health tl::expected Threads::Threads
  PRIVATE CURL::libcurl nlohmann_json::nlohmann_json Boost::boost spdlog::spdlog)
