// What the admin API asks of the daemon. Every call is made on the thread that
// runs the admin server's io_context (the daemon's control thread), so an
// implementation reads its own state without locks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

#include "admin/status.hpp"

namespace driad::admin {

class Backend {
 public:
  virtual ~Backend() = default;

  virtual Readiness readiness() const = 0;
  virtual Status status() const = 0;
  // The last `limit` changes of decision, oldest first.
  virtual std::vector<DecisionRecord> decisions(std::size_t limit) const = 0;
  // `client` may be empty. Errors are the caller's fault ("source: ...").
  virtual tl::expected<Explanation, std::string> explain(std::string_view source,
                                                         std::string_view client) const = 0;
  // Reloads the config as SIGHUP does.
  virtual ReloadResult reload() = 0;
};

}  // namespace driad::admin
