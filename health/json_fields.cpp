// Implements the first-error JSON readers (json_fields.hpp).
#include "health/json_fields.hpp"

namespace driad::health {

using nlohmann::json;

tl::expected<json, std::string> parse_json_text(std::string_view text) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& error) {
    // Drop nlohmann's "[json.exception.parse_error.101] " tag: the rest says where and why.
    std::string what = error.what();
    if (const auto tag_end = what.find("] ");
        what.rfind("[json.exception.", 0) == 0 && tag_end != std::string::npos) {
      what.erase(0, tag_end + 2);
    }
    return tl::unexpected("not JSON: " + what);
  }
}

std::string JsonFields::child(const std::string& pointer, std::string_view key) {
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

std::string JsonFields::child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

void JsonFields::fail(const std::string& pointer, const std::string& message) {
  if (failed_) return;
  failed_ = true;
  error_ = (pointer.empty() ? "/" : pointer) + ": " + message;
}

bool JsonFields::object(const json& value, const std::string& pointer) {
  if (value.is_object()) return true;
  fail(pointer, std::string("not an object (") + value.type_name() + ")");
  return false;
}

const json* JsonFields::find(const json& object, std::initializer_list<std::string_view> keys,
                             std::string_view& found) {
  if (!object.is_object()) return nullptr;
  for (const auto key : keys) {
    const auto it = object.find(key);
    if (it != object.end() && !it->is_null()) {
      found = key;
      return &*it;
    }
  }
  return nullptr;
}

void JsonFields::missing(const std::string& pointer, std::initializer_list<std::string_view> keys) {
  std::string message = "missing";
  if (keys.size() > 1) {
    message += " (also looked for";
    for (auto it = keys.begin() + 1; it != keys.end(); ++it) message += " " + std::string(*it);
    message += ")";
  }
  fail(child(pointer, *keys.begin()), message);
}

const json& JsonFields::array(const json& object, const std::string& pointer,
                              std::initializer_list<std::string_view> keys, bool required) {
  static const json empty = json::array();
  std::string_view key;
  const json* value = find(object, keys, key);
  if (value == nullptr) {
    if (required) missing(pointer, keys);
    return empty;
  }
  if (!value->is_array()) {
    fail(child(pointer, key), std::string("not an array (") + value->type_name() + ")");
    return empty;
  }
  return *value;
}

std::optional<std::string> JsonFields::text(const json& object, const std::string& pointer,
                                            std::initializer_list<std::string_view> keys,
                                            bool required) {
  std::string_view key;
  const json* value = find(object, keys, key);
  if (value == nullptr) {
    if (required) missing(pointer, keys);
    return std::nullopt;
  }
  if (!value->is_string()) {
    fail(child(pointer, key), std::string("not a string (") + value->type_name() + ")");
    return std::nullopt;
  }
  auto result = value->get<std::string>();
  if (required && result.empty()) {
    fail(child(pointer, key), "empty");
    return std::nullopt;
  }
  return result;
}

std::optional<double> JsonFields::number(const json& object, const std::string& pointer,
                                         std::string_view key, double min, double max) {
  std::string_view found;
  const json* value = find(object, {key}, found);
  if (value == nullptr) return std::nullopt;
  if (!value->is_number()) {
    fail(child(pointer, key), std::string("not a number (") + value->type_name() + ")");
    return std::nullopt;
  }
  const auto result = value->get<double>();
  if (result < min || result > max) {
    fail(child(pointer, key),
         value->dump() + " is outside " + json(min).dump() + " to " + json(max).dump());
    return std::nullopt;
  }
  return result;
}

bool JsonFields::boolean(const json& object, const std::string& pointer, std::string_view key,
                         bool otherwise) {
  std::string_view found;
  const json* value = find(object, {key}, found);
  if (value == nullptr) return otherwise;
  if (!value->is_boolean()) {
    fail(child(pointer, key), std::string("not true or false (") + value->type_name() + ")");
    return otherwise;
  }
  return value->get<bool>();
}

std::string JsonFields::element_text(const json& value, const std::string& pointer) {
  if (value.is_string()) return value.get<std::string>();
  fail(pointer, std::string("not a string (") + value.type_name() + ")");
  return {};
}

}  // namespace driad::health
