// Giving up privileges once the sockets are bound: as root, switch to the
// --user account (its group, or the one given) for good; as any other user,
// drop every capability (CAP_NET_BIND_SERVICE included: the ports are bound).
// as root with no --user, stay uid 0 without a single capability. Either way
// driadd keeps no privilege while it serves.
#pragma once

#include <string>
#include <string_view>

#include <tl/expected.hpp>

namespace driad::app {

struct RunAs {
  std::string user;
  std::string group;  // empty: the user's primary group
};

// "driad" or "driad:driad"; names, not numbers.
tl::expected<RunAs, std::string> parse_run_as(std::string_view text);

// Root with a RunAs: setgroups, setgid, setuid, then checks that root cannot
// be regained. Not root: a RunAs naming another user is an error; every
// capability (effective, permitted, inheritable, ambient) is dropped. Root
// without a RunAs: uid 0 stays but every capability is dropped, and the
// secure bits are locked so that none comes back. The result says what was
// done, for the log. Per-thread state: call it before any thread starts.
tl::expected<std::string, std::string> drop_privileges(const RunAs* run_as);

// The hint for a bind that failed with "Permission denied".
std::string privileged_port_hint();

}  // namespace driad::app
