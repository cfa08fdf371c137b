// Implements HTTP date formatting and parsing (http_date.hpp).
#include "tools/to-sim/http_date.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace driad::tosim {

namespace {

constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

}  // namespace

std::string FormatHttpDate(Seconds when) {
  // Day and month names are spelled out here, not by strftime, so the
  // process locale cannot change them.
  const time_t seconds = Clock::to_time_t(when);
  tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  std::snprintf(text, sizeof text, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays.at(parts.tm_wday),
                parts.tm_mday, kMonths.at(parts.tm_mon), parts.tm_year + 1900, parts.tm_hour,
                parts.tm_min, parts.tm_sec);
  return text;
}

std::optional<Seconds> ParseHttpDate(std::string_view text) {
  const std::string copy(text);
  // strptime reads names in the C locale, which is the locale of this tool.
  for (const char* format :
       {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
    tm parts{};
    const char* end = strptime(copy.c_str(), format, &parts);
    if (end == nullptr || *end != '\0') continue;
    const time_t seconds = timegm(&parts);
    if (seconds == static_cast<time_t>(-1)) return std::nullopt;
    return std::chrono::time_point_cast<std::chrono::seconds>(Clock::from_time_t(seconds));
  }
  return std::nullopt;
}

}  // namespace driad::tosim
