// The log formats: one JSON object per line with time, level, msg and the
// event's fields (escaped, invalid UTF-8 replaced), the text form's fields,
// and the query log's fields for a sampled query.
#include "src/logging.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "src/query_log.hpp"

namespace driad::app {
namespace {

using nlohmann::json;

TEST(JsonLogLine, HasTimeLevelMessageAndFields) {
  const std::string line = json_log_line(1795681988123, "info", "decision \"east\": a -> b",
                                         {{"group", "east"}, {"reason", "mx_healthy"}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const json parsed = json::parse(line);
  EXPECT_EQ(parsed["time"], "2026-11-26T08:33:08.123Z");
  EXPECT_EQ(parsed["level"], "info");
  EXPECT_EQ(parsed["msg"], "decision \"east\": a -> b");
  EXPECT_EQ(parsed["group"], "east");
  EXPECT_EQ(parsed["reason"], "mx_healthy");
  // Member order: time, level, msg first.
  EXPECT_EQ(line.rfind("{\"time\":", 0), 0U) << line;
}

TEST(JsonLogLine, InvalidUtf8IsReplacedNotFatal) {
  const std::string line = json_log_line(0, "warning", std::string("bad \xff byte"), {});
  const json parsed = json::parse(line, nullptr, false);
  ASSERT_FALSE(parsed.is_discarded()) << line;
  EXPECT_EQ(parsed["time"], "1970-01-01T00:00:00.000Z");
  EXPECT_NE(parsed["msg"].get<std::string>().find("byte"), std::string::npos);
}

TEST(LogFormat, ParsesTheTwoNames) {
  EXPECT_EQ(parse_log_format("text").value(), LogFormat::text);
  EXPECT_EQ(parse_log_format("json").value(), LogFormat::json);
  EXPECT_FALSE(parse_log_format("xml"));
}

// Logs one event through the default logger with `format`'s formatter.
std::string logged(LogFormat format, spdlog::level::level_enum level) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  sink->set_formatter(make_line_formatter(format));
  const auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>("test", sink);
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
  log_fields(level, "decision east: a -> b", {{"group", "east"}, {"detail", "two words"}});
  spdlog::info("plain");
  spdlog::set_default_logger(previous);
  return out.str();
}

TEST(LogFields, ReachTheLineInBothFormats) {
  const std::string text = logged(LogFormat::text, spdlog::level::warn);
  EXPECT_NE(text.find(" warning decision east: a -> b group=east detail=\"two words\"\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(" info plain\n"), std::string::npos) << text;  // no fields left over

  const std::string json_lines = logged(LogFormat::json, spdlog::level::info);
  std::istringstream lines(json_lines);
  std::string first;
  std::string second;
  std::getline(lines, first);
  std::getline(lines, second);
  const json event = json::parse(first);
  EXPECT_EQ(event["level"], "info");
  EXPECT_EQ(event["msg"], "decision east: a -> b");
  EXPECT_EQ(event["group"], "east");
  EXPECT_EQ(event["detail"], "two words");
  const json plain = json::parse(second);
  EXPECT_EQ(plain["msg"], "plain");
  EXPECT_FALSE(plain.contains("group"));
}

TEST(LogFields, BelowTheLevelNothingIsWritten) {
  EXPECT_EQ(logged(LogFormat::json, spdlog::level::debug).find("decision"), std::string::npos);
}

TEST(QueryLog, FieldsOfASampledQuery) {
  dns::QueryLogEntry entry;
  entry.client = {true, zones::Family::ipv6, 1};
  entry.transport = dns::Transport::tcp;
  entry.kind = dns::AnswerKind::nxdomain;
  entry.rcode = 3;
  entry.qtype = 260;
  const std::uint8_t name[] = {1, 'x', 4, 'a', 'r', 'p', 'a', 0};
  std::copy(std::begin(name), std::end(name), entry.qname.begin());
  entry.qname_length = sizeof name;
  const auto fields = query_log_fields(entry);
  const std::vector<LogField> expected = {{"client", "::1"},     {"transport", "tcp"},
                                          {"qname", "x.arpa."},  {"qtype", "AMTRELAY"},
                                          {"rcode", "NXDOMAIN"}, {"kind", "nxdomain"}};
  EXPECT_EQ(fields, expected);
  dns::QueryLogEntry unread;
  const auto none = query_log_fields(unread);
  EXPECT_EQ(none[0].second, "-");
  EXPECT_EQ(none[2].second, "-");
}

}  // namespace
}  // namespace driad::app
