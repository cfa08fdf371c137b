// Implements the gNMI service (service.hpp) and the Subscribe reactor that
// carries the Hub's responses to one client.
#include "tools/mx-sim/service.hpp"

#include <deque>
#include <mutex>

#include <spdlog/spdlog.h>

#include "tools/mx-sim/path.hpp"

namespace driad::mxsim {
namespace {

std::string Metadata(const grpc::CallbackServerContext& context, const char* key) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find(key);
  if (it == metadata.end()) return {};
  return std::string(it->second.data(), it->second.size());
}

// One Subscribe RPC. Writes are queued because the callback API allows one
// outstanding write; Finish waits until the queue is drained so nothing the
// Hub sent before a Close is lost. The Hub only calls Send/Close under its
// lock, and OnDone removes the stream from the Hub under that same lock
// before deleting it, so the Hub never touches a deleted reactor.
class SubscribeReactor final
    : public grpc::ServerBidiReactor<gnmi::SubscribeRequest, gnmi::SubscribeResponse>,
      public Stream {
 public:
  SubscribeReactor(Hub& hub, std::string peer, const grpc::Status& auth)
      : hub_(hub), peer_(std::move(peer)) {
    if (!auth.ok()) {
      spdlog::info("subscribe from {} refused: {}", peer_, auth.error_message());
      std::lock_guard lock(mutex_);
      FinishLocked(auth);
      return;
    }
    StartRead(&request_);
  }

  // Stream (called by the Hub with its lock held).
  void Send(std::vector<gnmi::SubscribeResponse> responses) override {
    std::lock_guard lock(mutex_);
    if (finish_requested_) return;
    // A client that stops reading must not grow the queue without bound.
    constexpr size_t kMaxQueued = 100'000;
    if (queue_.size() + responses.size() > kMaxQueued) {
      spdlog::warn("subscribe from {}: client not reading, ending the stream", peer_);
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "client too slow"));
      return;
    }
    for (auto& response : responses) queue_.push_back(std::move(response));
    if (!writing_ && !queue_.empty()) {
      writing_ = true;
      StartWrite(&queue_.front());
    }
  }

  void Close(const grpc::Status& status) override {
    std::lock_guard lock(mutex_);
    FinishLocked(status);
  }

  size_t Queued() override {
    std::lock_guard lock(mutex_);
    return queue_.size();
  }

  // Reactions.
  void OnReadDone(bool ok) override {
    // !ok: the client half-closed or the RPC ended. A STREAM subscription
    // keeps going after a half-close, so there is nothing to do but stop
    // reading.
    if (!ok) return;
    if (!opened_) {
      if (!request_.has_subscribe()) {
        Close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                           "the first SubscribeRequest must carry a SubscriptionList"));
        return;
      }
      if (auto opened = hub_.Open(this, request_.subscribe()); !opened) {
        spdlog::info("subscribe from {} refused: {}", peer_, opened.error().error_message());
        Close(opened.error());
        return;
      }
      opened_ = true;
      spdlog::info("subscribe from {}: {} path(s), mode {}", peer_,
                   request_.subscribe().subscription_size(),
                   gnmi::SubscriptionList::Mode_Name(request_.subscribe().mode()));
    } else if (request_.has_poll()) {
      if (auto polled = hub_.Poll(this); !polled) {
        Close(polled.error());
        return;
      }
    } else {
      Close(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                         "subscriptions are immutable: start a new Subscribe RPC"));
      return;
    }
    StartRead(&request_);
  }

  void OnWriteDone(bool ok) override {
    std::lock_guard lock(mutex_);
    queue_.pop_front();
    if (!ok) {
      // The RPC is broken (client gone): nothing more can be written.
      queue_.clear();
      if (!finish_requested_) {
        finish_requested_ = true;
        finish_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "write failed");
      }
    }
    if (!queue_.empty()) {
      StartWrite(&queue_.front());
      return;
    }
    writing_ = false;
    if (finish_requested_ && !finished_) {
      finished_ = true;
      Finish(finish_status_);
    }
  }

  void OnCancel() override {
    std::lock_guard lock(mutex_);
    FinishLocked(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    hub_.Remove(this);
    spdlog::info("subscribe from {} ended", peer_);
    delete this;
  }

 private:
  void FinishLocked(const grpc::Status& status) {
    if (finish_requested_) return;
    finish_requested_ = true;
    finish_status_ = status;
    if (!writing_) {
      finished_ = true;
      Finish(status);
    }
  }

  Hub& hub_;
  const std::string peer_;
  gnmi::SubscribeRequest request_;  // touched only by reactions (serialised)
  bool opened_ = false;

  std::mutex mutex_;                           // guards everything below
  std::deque<gnmi::SubscribeResponse> queue_;  // front() is being written
  bool writing_ = false;
  bool finish_requested_ = false;
  bool finished_ = false;
  grpc::Status finish_status_;
};

}  // namespace

grpc::Status GnmiService::Authenticate(const grpc::CallbackServerContext& context) const {
  if (!credentials_) return grpc::Status::OK;
  if (Metadata(context, "username") == credentials_->username &&
      Metadata(context, "password") == credentials_->password) {
    return grpc::Status::OK;
  }
  return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                      "username and password metadata missing or wrong");
}

grpc::ServerUnaryReactor* GnmiService::Capabilities(grpc::CallbackServerContext* context,
                                                    const gnmi::CapabilityRequest* /*request*/,
                                                    gnmi::CapabilityResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (auto status = Authenticate(*context); !status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  response->set_gnmi_version("0.10.0");
  response->add_supported_encodings(gnmi::PROTO);
  response->add_supported_encodings(gnmi::JSON);
  const struct {
    const char* name;
    const char* organization;
    const char* version;
  } kModels[] = {{"openconfig-interfaces", "OpenConfig working group", "3.0.0"},
                 {"openconfig-if-ip", "OpenConfig working group", "3.0.0"},
                 {"openconfig-platform", "OpenConfig working group", "0.13.0"}};
  for (const auto& model : kModels) {
    auto* data = response->add_supported_models();
    data->set_name(model.name);
    data->set_organization(model.organization);
    data->set_version(model.version);
  }
  if (hub_.options().juniper_header) {
    response->add_extension()->mutable_registered_ext()->set_id(
        static_cast<gnmi_ext::ExtensionID>(1));
  }
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* GnmiService::Get(grpc::CallbackServerContext* context,
                                           const gnmi::GetRequest* request,
                                           gnmi::GetResponse* response) {
  auto* reactor = context->DefaultReactor();
  if (auto status = Authenticate(*context); !status.ok()) {
    reactor->Finish(status);
    return reactor;
  }
  auto result = hub_.Get(*request);
  if (!result) {
    reactor->Finish(result.error());
    return reactor;
  }
  *response = std::move(*result);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* GnmiService::Set(grpc::CallbackServerContext* context,
                                           const gnmi::SetRequest* /*request*/,
                                           gnmi::SetResponse* /*response*/) {
  auto* reactor = context->DefaultReactor();
  auto status = Authenticate(*context);
  reactor->Finish(status.ok() ? grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                                             "mx-sim is read-only: Set is not supported")
                              : status);
  return reactor;
}

grpc::ServerBidiReactor<gnmi::SubscribeRequest, gnmi::SubscribeResponse>* GnmiService::Subscribe(
    grpc::CallbackServerContext* context) {
  return new SubscribeReactor(hub_, context->peer(), Authenticate(*context));
}

}  // namespace driad::mxsim
