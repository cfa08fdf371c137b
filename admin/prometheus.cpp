// Implements the exposition writer (prometheus.hpp).
#include "admin/prometheus.hpp"

#include <charconv>
#include <cmath>

namespace driad::admin {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double: "3", "0.25", "1e-06".
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

void Exposition::family(std::string_view name, Type type, std::string_view help) {
  static constexpr std::string_view kTypes[] = {"counter", "gauge", "histogram"};
  text_.append("# HELP ").append(name).append(" ");
  // HELP text escapes backslash and newline.
  for (const char c : help) {
    if (c == '\\') {
      text_ += "\\\\";
    } else if (c == '\n') {
      text_ += "\\n";
    } else {
      text_ += c;
    }
  }
  text_.append("\n# TYPE ").append(name).append(" ");
  text_.append(kTypes[static_cast<std::size_t>(type)]).append("\n");
}

void Exposition::series(std::string_view name, Labels labels, const Label* extra, double value) {
  text_.append(name);
  if (labels.size() != 0 || extra != nullptr) {
    text_ += '{';
    bool first = true;
    const auto add = [&](const Label& label) {
      if (!first) text_ += ',';
      first = false;
      text_.append(label.first).append("=\"").append(escape_label_value(label.second)).append("\"");
    };
    for (const Label& label : labels) add(label);
    if (extra != nullptr) add(*extra);
    text_ += '}';
  }
  text_.append(" ").append(format_value(value)).append("\n");
}

void Exposition::sample(std::string_view name, Labels labels, double value) {
  series(name, labels, nullptr, value);
}

void Exposition::histogram(std::string_view name, Labels labels, std::span<const double> bounds,
                           std::span<const std::uint64_t> counts, double sum) {
  const std::string bucket = std::string(name) + "_bucket";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
    const Label label{"le", le};
    series(bucket, labels, &label, static_cast<double>(cumulative));
  }
  series(std::string(name) + "_sum", labels, nullptr, sum);
  series(std::string(name) + "_count", labels, nullptr, static_cast<double>(cumulative));
}

}  // namespace driad::admin
