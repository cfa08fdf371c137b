// The Prometheus text exposition format, version 0.0.4: metric families with
// their # HELP and # TYPE lines, samples with escaped label values, and
// histograms with cumulative buckets. Written by hand (Debian 12 has no
// prometheus-cpp); tests/admin parses the output back.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace driad::admin {

using Label = std::pair<std::string_view, std::string_view>;
using Labels = std::initializer_list<Label>;

// `\`, `"` and newline escaped, as label values need.
std::string escape_label_value(std::string_view value);

// A sample value: integers without an exponent, "NaN", "+Inf", "-Inf".
std::string format_value(double value);

class Exposition {
 public:
  enum class Type : std::uint8_t { counter, gauge, histogram };

  // Starts a family. Every sample of it follows before the next family; a
  // counter's name ends in _total.
  void family(std::string_view name, Type type, std::string_view help);

  void sample(std::string_view name, Labels labels, double value);
  void sample(std::string_view name, Labels labels, std::uint64_t value) {
    sample(name, labels, static_cast<double>(value));
  }

  // One histogram series: `counts` per bucket (not cumulative), one more
  // than `bounds` (the last is +Inf); `sum` in the bounds' unit.
  void histogram(std::string_view name, Labels labels, std::span<const double> bounds,
                 std::span<const std::uint64_t> counts, double sum);

  const std::string& text() const noexcept { return text_; }

 private:
  void series(std::string_view name, Labels labels, const Label* extra, double value);

  std::string text_;
};

}  // namespace driad::admin
