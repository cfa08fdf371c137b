// Implements the text and JSON log formats (logging.hpp).
#include "src/logging.hpp"

#include <chrono>
#include <ctime>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace driad::app {
namespace {

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ %v";

// The fields of the log call in progress on this thread: spdlog formats on
// the calling thread, so the formatter finds them here.
thread_local const std::vector<LogField>* t_fields = nullptr;

std::string utc_time(std::int64_t unix_ms) {
  const auto seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  char text[40];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &parts);
  return std::string(text, length) + "." + std::to_string(1000 + unix_ms % 1000).substr(1) + "Z";
}

// A value that needs no quotes in text: no spaces, quotes or '='.
bool bare(std::string_view value) {
  if (value.empty()) return false;
  for (const char c : value) {
    if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') return false;
  }
  return true;
}

class LineFormatter final : public spdlog::formatter {
 public:
  explicit LineFormatter(LogFormat format)
      : format_(format), text_(std::make_unique<spdlog::pattern_formatter>(kTextPattern)) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    static const std::vector<LogField> kNone;
    const std::vector<LogField>& fields = t_fields != nullptr ? *t_fields : kNone;
    if (format_ == LogFormat::json) {
      const auto unix_ms =
          std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch())
              .count();
      const auto level = spdlog::level::to_string_view(msg.level);
      const std::string line =
          json_log_line(unix_ms, std::string_view(level.data(), level.size()),
                        std::string_view(msg.payload.data(), msg.payload.size()), fields);
      dest.append(line.data(), line.data() + line.size());
      dest.push_back('\n');
      return;
    }
    spdlog::memory_buf_t line;
    text_->format(msg, line);
    std::size_t size = line.size();
    while (size > 0 && (line[size - 1] == '\n' || line[size - 1] == '\r')) --size;
    dest.append(line.data(), line.data() + size);
    for (const auto& [key, value] : fields) {
      std::string pair = " " + std::string(key) + "=";
      pair += bare(value) ? value
                          : nlohmann::json(value).dump(-1, ' ', false,
                                                       nlohmann::json::error_handler_t::replace);
      dest.append(pair.data(), pair.data() + pair.size());
    }
    dest.push_back('\n');
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<LineFormatter>(format_);
  }

 private:
  LogFormat format_;
  std::unique_ptr<spdlog::pattern_formatter> text_;
};

}  // namespace

tl::expected<LogFormat, std::string> parse_log_format(std::string_view text) {
  if (text == "text") return LogFormat::text;
  if (text == "json") return LogFormat::json;
  return tl::make_unexpected("--log-format: '" + std::string(text) + "' is not text or json");
}

void setup_logging(spdlog::level::level_enum level, LogFormat format) {
  std::shared_ptr<spdlog::logger> logger = format == LogFormat::json
                                               ? spdlog::stderr_logger_mt("driadd")
                                               : spdlog::stderr_color_mt("driadd");
  logger->set_formatter(make_line_formatter(format));
  spdlog::set_default_logger(logger);
  spdlog::set_level(level);
}

std::unique_ptr<spdlog::formatter> make_line_formatter(LogFormat format) {
  return std::make_unique<LineFormatter>(format);
}

void log_fields(spdlog::level::level_enum level, std::string_view message,
                const std::vector<LogField>& fields) {
  if (!spdlog::should_log(level)) return;
  t_fields = &fields;
  spdlog::log(level, "{}", message);
  t_fields = nullptr;
}

void log_fields(spdlog::level::level_enum level, std::string_view message,
                std::initializer_list<LogField> fields) {
  if (!spdlog::should_log(level)) return;
  log_fields(level, message, std::vector<LogField>(fields));
}

std::string json_log_line(std::int64_t unix_ms, std::string_view level, std::string_view message,
                          const std::vector<LogField>& fields) {
  nlohmann::ordered_json line;
  line["time"] = utc_time(unix_ms);
  line["level"] = level;
  line["msg"] = message;
  for (const auto& [key, value] : fields) line[std::string(key)] = value;
  // Invalid UTF-8 (a query name is bytes) is replaced, never fatal.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace driad::app
