// Implements TypedValue decoding (gnmi_value.hpp).
#include "health/gnmi_value.hpp"

#include <charconv>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

// float_val and decimal_val are deprecated in gNMI 0.10 but older targets
// still send them: reading them is the point.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace driad::health {
namespace {

std::optional<std::uint64_t> parse_uint(const std::string& text) {
  std::uint64_t out = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, error] = std::from_chars(text.data(), end, out);
  if (error != std::errc() || ptr != end || text.empty()) return std::nullopt;
  return out;
}

std::optional<std::uint64_t> whole(double number) {
  // 2^64 as a double; anything at or above it does not fit.
  constexpr double kLimit = 18446744073709551616.0;
  if (!std::isfinite(number) || number < 0 || number >= kLimit || std::floor(number) != number) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(number);
}

std::optional<nlohmann::json> parse_json(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return std::nullopt;
  return parsed;
}

std::optional<std::uint64_t> json_uint(const nlohmann::json& json) {
  if (json.is_number_unsigned()) return json.get<std::uint64_t>();
  if (json.is_number_integer()) {
    const auto signed_value = json.get<std::int64_t>();
    if (signed_value < 0) return std::nullopt;
    return static_cast<std::uint64_t>(signed_value);
  }
  if (json.is_number_float()) return whole(json.get<double>());
  if (json.is_string()) return parse_uint(json.get<std::string>());
  return std::nullopt;
}

double decimal(const gnmi::Decimal64& value) {
  return static_cast<double>(value.digits()) / std::pow(10.0, value.precision());
}

}  // namespace

std::optional<std::string> value_text(const gnmi::TypedValue& value) {
  switch (value.value_case()) {
    case gnmi::TypedValue::kStringVal:
      return value.string_val();
    case gnmi::TypedValue::kAsciiVal:
      return value.ascii_val();
    case gnmi::TypedValue::kBytesVal:
      return value.bytes_val();
    case gnmi::TypedValue::kIntVal:
      return std::to_string(value.int_val());
    case gnmi::TypedValue::kUintVal:
      return std::to_string(value.uint_val());
    case gnmi::TypedValue::kBoolVal:
      return value.bool_val() ? "true" : "false";
    case gnmi::TypedValue::kDoubleVal:
      return nlohmann::json(value.double_val()).dump();
    case gnmi::TypedValue::kFloatVal:
      return nlohmann::json(value.float_val()).dump();
    case gnmi::TypedValue::kDecimalVal:
      return nlohmann::json(decimal(value.decimal_val())).dump();
    case gnmi::TypedValue::kJsonVal:
    case gnmi::TypedValue::kJsonIetfVal: {
      const std::string& raw = value.has_json_val() ? value.json_val() : value.json_ietf_val();
      auto json = parse_json(raw);
      if (!json) return std::nullopt;
      return json->is_string() ? json->get<std::string>() : json->dump();
    }
    case gnmi::TypedValue::kLeaflistVal: {
      std::string out;
      for (const auto& element : value.leaflist_val().element()) {
        auto text = value_text(element);
        if (!text) return std::nullopt;
        if (!out.empty()) out.push_back(',');
        out += *text;
      }
      return out;
    }
    default:
      return std::nullopt;
  }
}

std::optional<std::uint64_t> value_uint(const gnmi::TypedValue& value) {
  switch (value.value_case()) {
    case gnmi::TypedValue::kUintVal:
      return value.uint_val();
    case gnmi::TypedValue::kIntVal:
      if (value.int_val() < 0) return std::nullopt;
      return static_cast<std::uint64_t>(value.int_val());
    case gnmi::TypedValue::kDoubleVal:
      return whole(value.double_val());
    case gnmi::TypedValue::kFloatVal:
      return whole(value.float_val());
    case gnmi::TypedValue::kDecimalVal:
      return whole(decimal(value.decimal_val()));
    case gnmi::TypedValue::kStringVal:
      return parse_uint(value.string_val());
    case gnmi::TypedValue::kAsciiVal:
      return parse_uint(value.ascii_val());
    case gnmi::TypedValue::kJsonVal:
    case gnmi::TypedValue::kJsonIetfVal: {
      auto json = parse_json(value.has_json_val() ? value.json_val() : value.json_ietf_val());
      if (!json) return std::nullopt;
      return json_uint(*json);
    }
    case gnmi::TypedValue::kLeaflistVal:
      if (value.leaflist_val().element_size() != 1) return std::nullopt;
      return value_uint(value.leaflist_val().element(0));
    default:
      return std::nullopt;
  }
}

}  // namespace driad::health
