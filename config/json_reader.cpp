// Type- and range-checked reads from JSON, with JSON-pointer error paths.
#include "config/json_reader.hpp"

#include <algorithm>

namespace driad::config {
namespace {

std::string type_name(const nlohmann::json& value) {
  return value.type_name();
}

}  // namespace

std::string JsonReader::child(const std::string& pointer, std::string_view key) {
  // RFC 6901 escaping: ~ as ~0, / as ~1.
  std::string escaped;
  for (const char c : key) {
    if (c == '~') {
      escaped += "~0";
    } else if (c == '/') {
      escaped += "~1";
    } else {
      escaped += c;
    }
  }
  return pointer + "/" + escaped;
}

std::string JsonReader::child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

bool JsonReader::object(const nlohmann::json& value, const std::string& pointer,
                        std::initializer_list<std::string_view> allowed,
                        std::initializer_list<std::string_view> required) {
  if (!value.is_object()) {
    error(pointer, "must be an object, not " + type_name(value));
    return false;
  }
  for (const auto& [key, member] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string known;
      for (const auto& name : allowed) known += (known.empty() ? "" : ", ") + std::string(name);
      error(child(pointer, key), "unknown key (known here: " + known + ")");
    }
  }
  for (const auto& key : required) {
    if (!value.contains(key)) error(child(pointer, key), "is required");
  }
  return true;
}

bool JsonReader::array(const nlohmann::json& value, const std::string& pointer) {
  if (value.is_array()) return true;
  error(pointer, "must be an array, not " + type_name(value));
  return false;
}

void JsonReader::read(const nlohmann::json& object, std::string_view key,
                      const std::string& pointer, std::string& out) {
  const auto it = object.find(key);
  if (it == object.end()) return;
  if (!it->is_string()) {
    error(child(pointer, key), "must be a string, not " + type_name(*it));
    return;
  }
  out = it->get<std::string>();
}

void JsonReader::read(const nlohmann::json& object, std::string_view key,
                      const std::string& pointer, bool& out) {
  const auto it = object.find(key);
  if (it == object.end()) return;
  if (!it->is_boolean()) {
    error(child(pointer, key), "must be true or false, not " + type_name(*it));
    return;
  }
  out = it->get<bool>();
}

void JsonReader::read(const nlohmann::json& object, std::string_view key,
                      const std::string& pointer, double& out, double min, double max) {
  const auto it = object.find(key);
  if (it == object.end()) return;
  if (!it->is_number()) {
    error(child(pointer, key), "must be a number, not " + type_name(*it));
    return;
  }
  const double value = it->get<double>();
  if (value < min || value > max) {
    error(child(pointer, key),
          std::to_string(value) + " is outside " + std::to_string(min) + "-" + std::to_string(max));
    return;
  }
  out = value;
}

bool JsonReader::read_unsigned(const nlohmann::json& object, std::string_view key,
                               const std::string& pointer, std::uint64_t& out, std::uint64_t min,
                               std::uint64_t max) {
  const auto it = object.find(key);
  if (it == object.end()) return false;
  if (!it->is_number_integer() ||
      (it->is_number_integer() && !it->is_number_unsigned() && it->get<std::int64_t>() < 0)) {
    error(child(pointer, key), "must be a whole number " + std::to_string(min) + "-" +
                                   std::to_string(max) + ", not " + it->dump());
    return false;
  }
  const auto value = it->get<std::uint64_t>();
  if (value < min || value > max) {
    error(child(pointer, key),
          std::to_string(value) + " is outside " + std::to_string(min) + "-" + std::to_string(max));
    return false;
  }
  out = value;
  return true;
}

}  // namespace driad::config
