// Parses control-port lines into Commands (command.hpp).
#include "tools/mx-sim/command.hpp"

#include <charconv>
#include <vector>

namespace driad::mxsim {
namespace {

std::vector<std::string_view> Words(std::string_view line) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) words.push_back(line.substr(start, i - start));
  }
  return words;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// Accepts exactly one of two words (case-insensitive); true for `yes`.
tl::expected<bool, std::string> Choice(std::string_view command, std::string_view word,
                                       std::string_view yes, std::string_view no) {
  if (EqualsNoCase(word, yes)) return true;
  if (EqualsNoCase(word, no)) return false;
  return tl::unexpected(std::string(command) + " takes " + std::string(yes) + " or " +
                        std::string(no) + ", not '" + std::string(word) + "'");
}

tl::expected<uint64_t, std::string> Number(std::string_view command, std::string_view word,
                                           uint64_t max) {
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(word.data(), word.data() + word.size(), value);
  if (error != std::errc{} || end != word.data() + word.size()) {
    return tl::unexpected(std::string(command) + " takes a number, not '" + std::string(word) +
                          "'");
  }
  if (value > max) {
    return tl::unexpected(std::string(command) + " must be at most " + std::to_string(max));
  }
  return value;
}

constexpr GarbageKind kGarbageKinds[] = {GarbageKind::kAll,       GarbageKind::kUnknownPath,
                                         GarbageKind::kWrongType, GarbageKind::kBadPath,
                                         GarbageKind::kNoValue,   GarbageKind::kHuge};

// garbage [all|unknown-path|wrong-type|bad-path|no-value|huge]
tl::expected<Command, std::string> ParseGarbage(const std::vector<std::string_view>& words) {
  Command command;
  command.kind = Command::Kind::kGarbage;
  if (words.size() == 1) return command;
  if (words.size() == 2) {
    for (const GarbageKind kind : kGarbageKinds) {
      if (!EqualsNoCase(words[1], GarbageKindName(kind))) continue;
      command.garbage = kind;
      return command;
    }
  }
  std::string kinds;
  for (const GarbageKind kind : kGarbageKinds) {
    kinds += (kinds.empty() ? "" : "|") + std::string(GarbageKindName(kind));
  }
  return tl::unexpected("garbage takes at most one of " + kinds);
}

// churn RATE SECONDS | churn stop
tl::expected<Command, std::string> ParseChurn(const std::vector<std::string_view>& words) {
  Command command;
  command.kind = Command::Kind::kChurn;
  if (words.size() == 2 && EqualsNoCase(words[1], "stop")) return command;
  if (words.size() != 3) return tl::unexpected(std::string("churn takes RATE SECONDS, or stop"));
  auto rate = Number("churn RATE", words[1], kMaxChurnRate);
  if (!rate) return tl::unexpected(rate.error());
  auto seconds = Number("churn SECONDS", words[2], kMaxChurnSeconds);
  if (!seconds) return tl::unexpected(seconds.error());
  if (*rate == 0 || *seconds == 0) {
    return tl::unexpected(std::string("churn RATE and SECONDS must be at least 1"));
  }
  command.number = *rate;
  command.seconds = *seconds;
  return command;
}

}  // namespace

std::string_view GarbageKindName(GarbageKind kind) {
  switch (kind) {
    case GarbageKind::kAll:
      return "all";
    case GarbageKind::kUnknownPath:
      return "unknown-path";
    case GarbageKind::kWrongType:
      return "wrong-type";
    case GarbageKind::kBadPath:
      return "bad-path";
    case GarbageKind::kNoValue:
      return "no-value";
    case GarbageKind::kHuge:
      return "huge";
  }
  return "?";
}

std::string CommandHelp() {
  return "commands: oper-status UP|DOWN, ud-status UP|DOWN, anycast present|absent, tunnels N, "
         "rate BPS|auto, cpu-idle N, stall, resume, drop, refuse on|off, garbage [KIND], "
         "churn RATE SECONDS|stop, state, quit";
}

tl::expected<Command, std::string> ParseCommand(std::string_view line) {
  const auto words = Words(line);
  if (words.empty()) return tl::unexpected("empty command; " + CommandHelp());
  const std::string_view name = words[0];
  if (name == "garbage") return ParseGarbage(words);
  if (name == "churn") return ParseChurn(words);
  Command command;

  struct Bare {
    std::string_view name;
    Command::Kind kind;
  };
  static constexpr Bare kBare[] = {{"stall", Command::Kind::kStall},
                                   {"resume", Command::Kind::kResume},
                                   {"drop", Command::Kind::kDrop},
                                   {"state", Command::Kind::kState},
                                   {"quit", Command::Kind::kQuit}};
  for (const auto& bare : kBare) {
    if (name != bare.name) continue;
    if (words.size() != 1) return tl::unexpected(std::string(name) + " takes no argument");
    command.kind = bare.kind;
    return command;
  }

  if (words.size() != 2) {
    if (name == "oper-status" || name == "ud-status" || name == "anycast" || name == "tunnels" ||
        name == "rate" || name == "cpu-idle" || name == "refuse") {
      return tl::unexpected(std::string(name) + " takes exactly one argument");
    }
    return tl::unexpected("unknown command '" + std::string(name) + "'; " + CommandHelp());
  }
  const std::string_view arg = words[1];
  tl::expected<bool, std::string> flag = false;
  if (name == "oper-status" || name == "ud-status") {
    command.kind = name == "oper-status" ? Command::Kind::kOperStatus : Command::Kind::kUdStatus;
    flag = Choice(name, arg, "UP", "DOWN");
  } else if (name == "anycast") {
    command.kind = Command::Kind::kAnycast;
    flag = Choice(name, arg, "present", "absent");
  } else if (name == "refuse") {
    command.kind = Command::Kind::kRefuse;
    flag = Choice(name, arg, "on", "off");
  } else if (name == "tunnels" || name == "cpu-idle" || name == "rate") {
    if (name == "rate" && EqualsNoCase(arg, "auto")) {
      command.kind = Command::Kind::kRate;
      return command;
    }
    const uint64_t max = name == "tunnels" ? kMaxTunnels : name == "cpu-idle" ? 100 : kMaxRateBps;
    auto number = Number(name, arg, max);
    if (!number) return tl::unexpected(number.error());
    command.kind = name == "tunnels"    ? Command::Kind::kTunnels
                   : name == "cpu-idle" ? Command::Kind::kCpuIdle
                                        : Command::Kind::kRate;
    command.number = *number;
    return command;
  } else {
    return tl::unexpected("unknown command '" + std::string(name) + "'; " + CommandHelp());
  }
  if (!flag) return tl::unexpected(flag.error());
  command.flag = *flag;
  return command;
}

}  // namespace driad::mxsim
