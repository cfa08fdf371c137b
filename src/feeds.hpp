// The health feeds of the live relay groups: one gNMI MxFeed per MX and one
// AmtProbe per probed gateway. Each observation is posted to the control
// thread, applied to LiveGroups there, and followed by `on_observation`.
#pragma once

#include <functional>
#include <memory>
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

// Every MX's gNMI paths, as --check-config reports them:
// "FILE: /relay_groups/N/mx/paths: what is wrong".
std::vector<std::string> check_feed_paths(const config::Config& config);

class Feeds {
 public:
  // `live` and `control` must outlive this object; observations that arrive
  // after it is gone are dropped on the control thread.
  Feeds(LiveGroups& live, boost::asio::io_context& control, std::function<void()> on_observation);
  ~Feeds();
  Feeds(const Feeds&) = delete;
  Feeds& operator=(const Feeds&) = delete;

  // Creates and starts every feed; an error (bad TLS file, bad path) names
  // the group and stops what was started.
  tl::expected<void, std::string> start(const config::PolicyConfig& policy);
  void stop();

 private:
  template <typename Observation, typename Apply>
  health::ObservationSink<Observation> post_to_control(Apply apply);

  LiveGroups& live_;
  boost::asio::io_context& control_;
  std::function<void()> on_observation_;
  // Posted work checks this before touching live_: a weak token, reset by stop().
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::vector<std::unique_ptr<health::MxFeed>> mx_feeds_;
  std::vector<std::unique_ptr<health::AmtProbe>> probes_;
};

}  // namespace driad::app
