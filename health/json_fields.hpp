// First-error readers over nlohmann::json for the Traffic Ops parsers and the
// topology cache: the first problem is kept with its JSON pointer
// ("/response/3/hostName: missing") and every later read answers a harmless
// default, so a parser reads straight through and checks failed() per item.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace driad::health {

// Parses `text`; the error is "not JSON: " and nlohmann's position and reason.
tl::expected<nlohmann::json, std::string> parse_json_text(std::string_view text);

class JsonFields {
 public:
  static std::string child(const std::string& pointer, std::string_view key);
  static std::string child(const std::string& pointer, std::size_t index);

  // Records `message` at `pointer` unless a problem is already recorded.
  void fail(const std::string& pointer, const std::string& message);
  bool failed() const { return failed_; }
  // "<pointer>: <message>" of the first problem ("/" for the root).
  const std::string& error() const { return error_; }

  // Whether `value` is an object; records "not an object" when it is not.
  bool object(const nlohmann::json& value, const std::string& pointer);
  // The array under `key` of `object` (the first of `keys` present and not
  // null). Absent: an empty array when `required` is false, else an error.
  const nlohmann::json& array(const nlohmann::json& object, const std::string& pointer,
                              std::initializer_list<std::string_view> keys, bool required);
  // A string member, under the first of `keys` present and not null. Absent:
  // nullopt when `required` is false, else an error. Present but empty with
  // `required`: an error too.
  std::optional<std::string> text(const nlohmann::json& object, const std::string& pointer,
                                  std::initializer_list<std::string_view> keys, bool required);
  // A number member; absent or null: nullopt. Outside [min, max]: an error.
  std::optional<double> number(const nlohmann::json& object, const std::string& pointer,
                               std::string_view key, double min, double max);
  // A true/false member; absent or null: `otherwise`.
  bool boolean(const nlohmann::json& object, const std::string& pointer, std::string_view key,
               bool otherwise);
  // An element of an array that must be a string.
  std::string element_text(const nlohmann::json& value, const std::string& pointer);

 private:
  // The first of `keys` present in `object` with a non-null value, or nullptr;
  // `found` is set to its key.
  static const nlohmann::json* find(const nlohmann::json& object,
                                    std::initializer_list<std::string_view> keys,
                                    std::string_view& found);
  void missing(const std::string& pointer, std::initializer_list<std::string_view> keys);

  bool failed_ = false;
  std::string error_;
};

}  // namespace driad::health
