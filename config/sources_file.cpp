// Reading the compact sources file: one pass over the text, fields as views
// into it, prefixes parsed without allocating, group names interned.
#include "config/sources_file.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace driad::config {
namespace {

constexpr bool blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}
constexpr const char* kLineForm = "a line is 'prefix relay_group'";

}  // namespace

void SourceErrors::add(std::string error) {
  if (listed_ < limit_) {
    out_.push_back(std::move(error));
    ++listed_;
  } else {
    ++unlisted_;
  }
}

void SourceErrors::close(const std::string& label) {
  if (unlisted_ == 0) return;
  out_.push_back(label + ": " + std::to_string(unlisted_) +
                 " more errors in the sources, not listed");
  unlisted_ = 0;
}

std::uint32_t SourceCollector::intern(std::string_view name) {
  if (const auto it = index_.find(name); it != index_.end()) return it->second;
  const auto index = static_cast<std::uint32_t>(names.size());
  names.emplace_back(name);
  index_.emplace(names.back(), index);
  return index;
}

void parse_sources_text(std::string_view text, const std::string& label, SourceCollector& out,
                        SourceErrors& errors) {
  // One entry per line at most: reserving for all of them spares the copies
  // (and the doubled capacity) of a growing vector of a million entries.
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  out.entries.reserve(out.entries.size() + lines);
  out.wheres.reserve(out.wheres.size() + lines);
  std::uint32_t line_number = 0;
  std::size_t at = 0;
  while (at < text.size()) {
    ++line_number;
    const std::size_t end = std::min(text.find('\n', at), text.size());
    std::string_view line = text.substr(at, end - at);
    at = end + 1;
    line = line.substr(0, line.find('#'));
    std::string_view fields[3];
    std::size_t count = 0;
    // By hand: find_first_of() would call memchr once per character.
    for (std::size_t from = 0; count < 3;) {
      while (from < line.size() && blank(line[from])) ++from;
      if (from == line.size()) break;
      std::size_t to = from;
      while (to < line.size() && !blank(line[to])) ++to;
      fields[count++] = line.substr(from, to - from);
      from = to;
    }
    if (count == 0) continue;
    const auto at_line = [&] { return label + ":" + std::to_string(line_number) + ": "; };
    if (count != 2) {
      errors.add(at_line() + "'" + std::string(fields[count == 1 ? 0 : 2]) +
                 (count == 1 ? "' has no relay group (" : "' follows the relay group (") +
                 kLineForm + ")");
      continue;
    }
    auto prefix = zones::parse_prefix(fields[0]);
    if (!prefix) {
      errors.add(at_line() + prefix.error());
      continue;
    }
    out.add(*prefix, out.intern(fields[1]), line_number);
  }
}

tl::expected<std::string, std::string> read_text_file(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  const auto failed = [&path] {
    return tl::make_unexpected(path + ": cannot be read: " + std::strerror(errno));
  };
  if (!file) return failed();
  struct stat info {};
  if (::fstat(::fileno(file.get()), &info) != 0) return failed();
  if (S_ISDIR(info.st_mode)) {
    return tl::make_unexpected(path + ": cannot be read: " + std::strerror(EISDIR));
  }
  // One allocation of the file's size; more reads only if it grew meanwhile.
  std::string text(static_cast<std::size_t>(std::max<off_t>(info.st_size, 0)), '\0');
  std::size_t size = std::fread(text.data(), 1, text.size(), file.get());
  char more[4096];
  while (size == text.size()) {
    const std::size_t got = std::fread(more, 1, sizeof more, file.get());
    if (got == 0) break;
    text.append(more, got);
    size = text.size();
  }
  if (std::ferror(file.get()) != 0) return failed();
  text.resize(size);
  return text;
}

}  // namespace driad::config
