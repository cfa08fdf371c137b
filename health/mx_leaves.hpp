// What the MX's leaves currently say, built from gNMI notifications: relay
// interface and tunnel device oper-status, anycast presence, the tunnel count
// and the out-octets rate. Pure (no I/O, no clock reads: receive times are
// arguments), so every decoding and delete rule is unit-tested directly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "health/feed.hpp"
#include "policy/inputs.hpp"
#include "proto/gnmi.pb.h"

namespace driad::health {

// The parsed subscription paths, each compared element-wise with full update
// paths (prefix + path; origin and target ignored).
struct MxWatchedPaths {
  gnmi::Path relay_status;  // == "UP" required
  gnmi::Path anycast;       // present required; a delete means gone
  gnmi::Path ud_status;     // == "UP" required when reported (see MxLeaves::verdict)
  gnmi::Path out_octets;    // counter, for the byte rate
  // Either a generic leaf holding the count, or the `subinterfaces` container
  // of the tunnel device, whose list keys are counted.
  gnmi::Path tunnels;
  bool tunnels_is_leaf = false;
};

struct MxVerdict {
  policy::MxState state = policy::MxState::unknown;
  std::string detail;
};

class MxLeaves {
 public:
  explicit MxLeaves(MxWatchedPaths paths);

  // Forgets every leaf: a new stream (or POLL round) re-sends them all.
  // `keep_rate` keeps the byte-rate baseline across POLL rounds.
  void reset(bool keep_rate = false);

  // Applies updates then deletes of one notification. Returns how many
  // watched leaves carried a value that could not be decoded (rejects).
  int apply(const gnmi::Notification& notification, Clock::time_point received);

  // The state the leaves give, for a stream that has synced: healthy when the
  // relay interface is UP, the anycast address is present and the tunnel
  // device is UP. A tunnel device that reports no oper-status at all counts
  // as not required (some platforms export no ud-* interface state), but one
  // that reports anything other than UP makes the MX unhealthy.
  MxVerdict verdict() const;

  // The tunnel count, when known: the generic leaf's value, or the number of
  // distinct subinterface keys (0 when none are listed).
  std::optional<std::uint64_t> tunnels() const;
  double out_octets_rate_bps() const { return rate_bps_; }
  const MxWatchedPaths& paths() const { return paths_; }

 private:
  void apply_update(const gnmi::Path& path, const gnmi::TypedValue& value,
                    std::int64_t timestamp_ns, Clock::time_point received, int& rejects);
  void apply_delete(const gnmi::Path& path);
  void sample_octets(std::uint64_t octets, std::int64_t timestamp_ns, Clock::time_point received);

  MxWatchedPaths paths_;
  std::optional<std::string> relay_status_;
  bool anycast_present_ = false;
  std::optional<std::string> ud_status_;
  std::optional<std::uint64_t> tunnel_leaf_;
  // Subinterface key ("/subinterface[index=3]") -> leaves below it.
  std::map<std::string, std::set<std::string>> subinterfaces_;
  // Byte-rate baseline: last counter value and when it was taken (the
  // notification timestamp when the target sends one, else receive time).
  std::optional<std::uint64_t> last_octets_;
  std::int64_t last_octets_ns_ = 0;
  double rate_bps_ = 0;
};

}  // namespace driad::health
