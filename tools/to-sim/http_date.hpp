// HTTP dates (RFC 9110 §5.6.7) for Last-Modified and If-Modified-Since, at
// whole-second precision as HTTP carries them.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace driad::tosim {

using Clock = std::chrono::system_clock;
using Seconds = std::chrono::time_point<Clock, std::chrono::seconds>;

// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string FormatHttpDate(Seconds when);

// IMF-fixdate, or the obsolete RFC 850 and asctime forms a recipient must
// also accept; nullopt for anything else (the header is then ignored).
std::optional<Seconds> ParseHttpDate(std::string_view text);

}  // namespace driad::tosim
