// Reading, answering and timing out one TCP connection.
#include "dns/tcp_connection.hpp"

#include <cstring>

#include <boost/asio/write.hpp>

#include "dns/message.hpp"
#include "dns/responder.hpp"

namespace driad::dns {
namespace {

constexpr std::size_t kInitialBuffer = std::size_t{16} * 1024;
constexpr std::size_t kMaxFrame = 2 + 65535;

}  // namespace

TcpConnection::TcpConnection(boost::asio::ip::tcp::socket socket, const TcpWorkerState& worker,
                             const ClientAddress& client)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      worker_(worker),
      client_(client),
      in_(kInitialBuffer) {
  out_.reserve(kInitialBuffer);
}

void TcpConnection::start() {
  deadline_ = std::chrono::steady_clock::now() + worker_.idle_timeout;
  watch_idle();
  read();
}

void TcpConnection::watch_idle() {
  timer_.expires_at(deadline_);
  timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (self->closed_) return;
    if (!ec && self->deadline_ <= std::chrono::steady_clock::now()) {
      self->close();
      return;
    }
    self->watch_idle();  // the deadline moved while we slept
  });
}

void TcpConnection::read() {
  socket_.async_read_some(
      boost::asio::buffer(in_.data() + have_, in_.size() - have_),
      [self = shared_from_this()](const boost::system::error_code& ec, std::size_t bytes) {
        self->on_read(ec, bytes);
      });
}

void TcpConnection::on_read(const boost::system::error_code& ec, std::size_t bytes) {
  if (ec || closed_) {
    close();
    return;
  }
  have_ += bytes;
  std::size_t at = 0;
  std::uint64_t answered = 0;
  const auto started = std::chrono::steady_clock::now();
  const zones::Snapshot* snapshot = worker_.reader.current();
  while (have_ - at >= 2) {
    const std::size_t length = read16(&in_[at]);
    if (length == 0) {  // no client sends this: hang up
      close();
      return;
    }
    if (have_ - at - 2 < length) {
      if (2 + length > in_.size()) in_.resize(kMaxFrame);
      break;
    }
    const ResponseInfo info =
        respond(snapshot, {&in_[at + 2], length}, worker_.scratch, Transport::tcp, client_);
    worker_.recorder.record(Transport::tcp, {&in_[at + 2], length}, info, client_);
    ++answered;
    if (info.size > 0) {
      out_.push_back(static_cast<std::uint8_t>(info.size >> 8));
      out_.push_back(static_cast<std::uint8_t>(info.size));
      out_.insert(out_.end(), worker_.scratch.begin(),
                  worker_.scratch.begin() + static_cast<std::ptrdiff_t>(info.size));
    }
    at += 2 + length;
    deadline_ = std::chrono::steady_clock::now() + worker_.idle_timeout;
  }
  worker_.recorder.observe_latency(Transport::tcp, std::chrono::steady_clock::now() - started,
                                   answered);
  if (at > 0) {
    std::memmove(in_.data(), in_.data() + at, have_ - at);
    have_ -= at;
  }
  if (out_.empty()) {
    read();
    return;
  }
  boost::asio::async_write(socket_, boost::asio::buffer(out_),
                           [self = shared_from_this()](const boost::system::error_code& write_error,
                                                       std::size_t /*written*/) {
                             if (write_error) {
                               self->close();
                               return;
                             }
                             self->out_.clear();
                             self->read();
                           });
}

void TcpConnection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ignored;
  socket_.close(ignored);
  timer_.cancel();
  worker_.open_connections.fetch_sub(1, std::memory_order_relaxed);
  worker_.per_client.release(client_);
}

}  // namespace driad::dns
