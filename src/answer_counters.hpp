// Hands out the query workers' relay-set answer counters (dns/query_stats.hpp)
// to (relay group, decision) pairs, so /metrics can say how many answers each
// group served under each decision. Control thread only.
//
// A pair keeps its counter for the life of the process, across snapshots and
// reloads, so a Prometheus counter never goes back; when every counter is
// taken, new pairs share counter 0, reported as group "_other".
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "zones/snapshot.hpp"

namespace driad::app {

class LiveGroups;

struct AnswerCounterLabel {
  std::string group;
  std::string decision;  // policy::to_string(DecisionKind), or "static"
};

class AnswerCounters {
 public:
  // `capacity` counters, counter 0 included (dns::kAnswerCounters).
  explicit AnswerCounters(std::size_t capacity);

  // The counter of (group, decision), handed out on first use.
  std::uint16_t counter(const std::string& group, const std::string& decision);

  // Sets every available group's answer_counter in `spec`: a live group by
  // its current decision, a configured group's static relays as "static".
  void assign(zones::SnapshotSpec& spec, const LiveGroups* live);

  // labels()[c] names counter c; labels()[0] is {"_other", "_other"}.
  const std::vector<AnswerCounterLabel>& labels() const noexcept { return labels_; }

 private:
  std::size_t capacity_;
  std::map<std::pair<std::string, std::string>, std::uint16_t> counters_;
  std::vector<AnswerCounterLabel> labels_;
};

}  // namespace driad::app
