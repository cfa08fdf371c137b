// A reader over nlohmann::json that records every problem with its JSON pointer
// instead of stopping at the first, so one run of --check-config lists them all.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace driad::config {

class JsonReader {
 public:
  explicit JsonReader(std::string file) : file_(std::move(file)) {}

  void error(const std::string& pointer, const std::string& message) {
    errors_.push_back(file_ + ": " + (pointer.empty() ? "/" : pointer) + ": " + message);
  }
  std::vector<std::string>& errors() { return errors_; }

  // Checks that `value` is an object holding only `allowed` keys; `required`
  // keys must be present. False when it is not an object at all.
  bool object(const nlohmann::json& value, const std::string& pointer,
              std::initializer_list<std::string_view> allowed,
              std::initializer_list<std::string_view> required = {});

  bool array(const nlohmann::json& value, const std::string& pointer);

  // Each reads `key` of `object` when present and of the right type and range;
  // otherwise records an error and leaves `out` untouched.
  void read(const nlohmann::json& object, std::string_view key, const std::string& pointer,
            std::string& out);
  void read(const nlohmann::json& object, std::string_view key, const std::string& pointer,
            bool& out);
  void read(const nlohmann::json& object, std::string_view key, const std::string& pointer,
            double& out, double min, double max);
  template <typename Int>
  void read(const nlohmann::json& object, std::string_view key, const std::string& pointer,
            Int& out, std::uint64_t min = 0, std::uint64_t max = std::numeric_limits<Int>::max()) {
    std::uint64_t value = 0;
    if (read_unsigned(object, key, pointer, value, min, max)) out = static_cast<Int>(value);
  }

  static std::string child(const std::string& pointer, std::string_view key);
  static std::string child(const std::string& pointer, std::size_t index);

 private:
  bool read_unsigned(const nlohmann::json& object, std::string_view key, const std::string& pointer,
                     std::uint64_t& out, std::uint64_t min, std::uint64_t max);

  std::string file_;
  std::vector<std::string> errors_;
};

}  // namespace driad::config
