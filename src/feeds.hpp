// The health feeds of the live relay groups: one gNMI MxFeed per MX and one
// AmtProbe per probed gateway. Each observation is posted to the control
// thread, applied to LiveGroups there, and followed by `on_observation`.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <tl/expected.hpp>

#include "health/amt_probe.hpp"
#include "health/mx_feed.hpp"
#include "src/live_groups.hpp"

namespace driad::app {

// The feed settings a config implies for one live group's MX.
health::MxFeedConfig mx_feed_config(const config::RelayGroupConfig& group,
                                    const config::PolicyConfig& policy,
                                    const health::GnmiCredentials& credentials);

// What a feed would fail on at start, checked before a config is accepted
// (--check-config, reload): every MX's gNMI paths, and that every TLS file
// (gNMI, Traffic Ops) can be read by driadd as it runs now.
// "FILE: /relay_groups/N/mx/paths: what is wrong",
// "FILE: /relay_groups/N/mx/tls/ca: cannot read PATH: No such file or directory".
std::vector<std::string> check_feeds(const config::Config& config);

class Feeds {
 public:
  // `control` must outlive this object. Observations are applied to the
  // LiveGroups last given to update(); those of feeds stopped since are
  // dropped on the control thread.
  Feeds(boost::asio::io_context& control, std::function<void()> on_observation);
  ~Feeds();
  Feeds(const Feeds&) = delete;
  Feeds& operator=(const Feeds&) = delete;

  // Makes the running feeds match `live`'s groups: a group whose settings are
  // unchanged keeps its feeds (and its gNMI stream), a removed or changed one
  // has them stopped, a new one gets them started. Each group that cannot
  // start (bad TLS file, bad path) is one error naming it; the others run.
  // `live` must stay alive until the next update() or stop().
  std::vector<std::string> update(LiveGroups& live, const config::PolicyConfig& policy);
  void stop();

  std::size_t subscriptions() const noexcept;

  // The counters of a running group's MX feed and of its gateway's probe
  // (by gateway index); null when that feed does not run.
  const health::FeedCounters* mx_counters(const std::string& group) const;
  const health::FeedCounters* probe_counters(const std::string& group, std::size_t gateway) const;

 private:
  struct GroupFeeds;

  template <typename Observation, typename Apply>
  health::ObservationSink<Observation> post_to_control(const std::shared_ptr<int>& alive,
                                                       Apply apply);
  tl::expected<std::unique_ptr<GroupFeeds>, std::string> start_group(
      const config::RelayGroupConfig& group, const config::PolicyConfig& policy);

  boost::asio::io_context& control_;
  std::function<void()> on_observation_;
  LiveGroups* live_ = nullptr;
  std::optional<config::PolicyConfig> policy_;
  std::optional<health::GnmiCredentials> credentials_;
  std::map<std::string, std::unique_ptr<GroupFeeds>> groups_;  // by relay group name
};

}  // namespace driad::app
