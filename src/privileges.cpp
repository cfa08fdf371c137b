// Implements the privilege drop (privileges.hpp).
#include "src/privileges.hpp"

#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace driad::app {
namespace {

std::string errno_text() {
  return std::strerror(errno);
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

tl::expected<void, std::string> drop_capabilities() {
  // Ambient capabilities (systemd's AmbientCapabilities=) would otherwise be
  // handed to anything driadd ever executed; then the three sets go.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) {
    return tl::make_unexpected("clearing ambient capabilities: " + errno_text());
  }
  __user_cap_header_struct header{};
  header.version = _LINUX_CAPABILITY_VERSION_3;
  header.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capset, &header, data) != 0) {
    return tl::make_unexpected("dropping capabilities: " + errno_text());
  }
  return {};
}

}  // namespace

tl::expected<RunAs, std::string> parse_run_as(std::string_view text) {
  RunAs out;
  const std::size_t colon = text.find(':');
  out.user = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) out.group = std::string(text.substr(colon + 1));
  if (!valid_name(out.user) || (colon != std::string_view::npos && !valid_name(out.group))) {
    return tl::make_unexpected("--user: '" + std::string(text) + "' is not USER or USER:GROUP");
  }
  return out;
}

tl::expected<std::string, std::string> drop_privileges(const RunAs* run_as) {
  if (geteuid() != 0) {
    if (run_as != nullptr) {
      const passwd* self = getpwuid(geteuid());
      if (self == nullptr || run_as->user != self->pw_name) {
        return tl::make_unexpected("--user " + run_as->user + " needs root (driadd runs as uid " +
                                   std::to_string(geteuid()) + ")");
      }
    }
    if (auto dropped = drop_capabilities(); !dropped) return tl::make_unexpected(dropped.error());
    return "running as uid " + std::to_string(geteuid()) + " with no capabilities";
  }
  if (run_as == nullptr) {
    // Root with no account to switch to: uid 0 stays, root's powers go. The
    // secure bits (locked) stop uid 0 from regaining capabilities through an
    // exec or a uid change; then every capability is dropped.
    constexpr unsigned long kNoRootEver = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
                                          SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
                                          SECBIT_KEEP_CAPS_LOCKED;
    // Without CAP_SETPCAP (some containers) the bits cannot be set; the
    // capabilities still go.
    const bool locked = prctl(PR_SET_SECUREBITS, kNoRootEver, 0, 0, 0) == 0;
    const std::string lock_problem =
        locked ? "" : " (secure bits not locked: " + errno_text() + ")";
    if (auto dropped = drop_capabilities(); !dropped) return tl::make_unexpected(dropped.error());
    return "running as uid 0 with no capabilities" + lock_problem +
           "; --user NAME runs as another user";
  }

  std::vector<char> buffer(16384);
  passwd user{};
  passwd* found_user = nullptr;
  if (getpwnam_r(run_as->user.c_str(), &user, buffer.data(), buffer.size(), &found_user) != 0 ||
      found_user == nullptr) {
    return tl::make_unexpected("--user: no user named '" + run_as->user + "'");
  }
  if (user.pw_uid == 0) return tl::make_unexpected("--user " + run_as->user + " is root");
  gid_t gid = user.pw_gid;
  if (!run_as->group.empty()) {
    std::vector<char> group_buffer(16384);
    group entry{};
    group* found_group = nullptr;
    if (getgrnam_r(run_as->group.c_str(), &entry, group_buffer.data(), group_buffer.size(),
                   &found_group) != 0 ||
        found_group == nullptr) {
      return tl::make_unexpected("--user: no group named '" + run_as->group + "'");
    }
    gid = entry.gr_gid;
  }
  const uid_t uid = user.pw_uid;
  // Supplementary groups first (root's would survive otherwise), then the
  // group while still allowed to, then the user: all three ids, for good.
  if (setgroups(1, &gid) != 0) return tl::make_unexpected("setgroups: " + errno_text());
  if (setresgid(gid, gid, gid) != 0) return tl::make_unexpected("setgid: " + errno_text());
  if (setresuid(uid, uid, uid) != 0) return tl::make_unexpected("setuid: " + errno_text());
  if (setuid(0) == 0 || seteuid(0) == 0 || getuid() != uid || geteuid() != uid) {
    return tl::make_unexpected("root could be regained after switching to " + run_as->user);
  }
  if (auto dropped = drop_capabilities(); !dropped) return tl::make_unexpected(dropped.error());
  return "running as " + run_as->user + " (uid " + std::to_string(uid) + ", gid " +
         std::to_string(gid) + ")";
}

std::string privileged_port_hint() {
  return "ports below 1024 need root (then --user NAME) or CAP_NET_BIND_SERVICE "
         "(setcap cap_net_bind_service=+ep driadd, or AmbientCapabilities= in the systemd unit)";
}

}  // namespace driad::app
