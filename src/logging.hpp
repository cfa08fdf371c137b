// driadd's logs: one line per event on stderr, as text ("2026-...+0000 info
// message key=value") or as JSON (one object per line: time, level, msg, and
// the event's fields). Levels trace..error. Structured fields are given per
// call (log_fields()); nothing here ever sees a secret unless a caller passes
// one, and none does: credentials and the admin token are never logged.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/common.h>
#include <spdlog/formatter.h>
#include <tl/expected.hpp>

namespace driad::app {

enum class LogFormat { text, json };

tl::expected<LogFormat, std::string> parse_log_format(std::string_view text);

// Makes the default logger write to stderr in `format` at `level`.
void setup_logging(spdlog::level::level_enum level, LogFormat format);

// The formatter setup_logging() gives the logger's sink.
std::unique_ptr<spdlog::formatter> make_line_formatter(LogFormat format);

using LogField = std::pair<std::string_view, std::string>;

// Logs `message` with `fields`: JSON members, or " key=value" after the text.
void log_fields(spdlog::level::level_enum level, std::string_view message,
                std::initializer_list<LogField> fields);
void log_fields(spdlog::level::level_enum level, std::string_view message,
                const std::vector<LogField>& fields);

// One JSON log line, without the newline (for the formatter and its tests).
// `unix_ms` is the wall-clock time.
std::string json_log_line(std::int64_t unix_ms, std::string_view level, std::string_view message,
                          const std::vector<LogField>& fields);

}  // namespace driad::app
