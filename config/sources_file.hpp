// The compact sources file (`sources_file`): one "prefix relay_group" per line,
// `#` to the end of a line a comment, blank lines allowed. Made for a million
// prefixes: no JSON, no string per line, relay group names interned. The
// entries join those of the JSON `sources` array through a SourceCollector.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <tl/expected.hpp>

#include "zones/source_list.hpp"

namespace driad::config {

// Problems in the sources, listed up to a limit and counted beyond it, so that
// a million bad lines still make a report a person can read.
class SourceErrors {
 public:
  SourceErrors(std::vector<std::string>& out, std::size_t limit) : out_(out), limit_(limit) {}
  void add(std::string error);
  std::size_t count() const noexcept { return listed_ + unlisted_; }
  // "N more errors in the sources" when some were not listed; else nothing.
  void close(const std::string& label);

 private:
  std::vector<std::string>& out_;
  std::size_t limit_;
  std::size_t listed_ = 0;
  std::size_t unlisted_ = 0;
};

// The source prefixes of a config as they are read, before the cross-checks:
// each entry's group is an interned name index, and where it came from (an
// index of the JSON array, or a line of the sources file) is kept for messages.
class SourceCollector {
 public:
  // The same index for the same name; a new name gets the next one.
  std::uint32_t intern(std::string_view name);
  void add(const zones::Prefix& prefix, std::uint32_t group, std::uint32_t where) {
    entries.push_back({prefix, group});
    wheres.push_back(where);
  }

  std::vector<zones::SourceSpec> entries;
  std::vector<std::uint32_t> wheres;  // parallel to entries
  std::vector<std::string> names;     // by interned index

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::uint32_t, Hash, std::equal_to<>> index_;
};

// Adds the lines of `text` (the file `label`) to `out`, `where` being the line
// number; every bad line is an error "LABEL:LINE: what is wrong".
void parse_sources_text(std::string_view text, const std::string& label, SourceCollector& out,
                        SourceErrors& errors);

// The whole file, or "PATH: cannot be read: why".
tl::expected<std::string, std::string> read_text_file(const std::string& path);

}  // namespace driad::config
