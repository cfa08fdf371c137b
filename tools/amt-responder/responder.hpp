// amt-responder's parts: its answer modes, the UDP relay stand-in that
// answers Relay Discoveries, and the text control port that switches modes.
// Everything runs on the one io_context given; nothing here is thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <tl/expected.hpp>

namespace driad::amtresponder {

struct Mode {
  enum class Kind : std::uint8_t {
    ok,           // echo the nonce, name the relay address
    silent,       // answer nothing
    wrong_nonce,  // answer with a nonce that is not the one asked
    redirect,     // echo the nonce, name `redirect_to`
  };
  Kind kind = Kind::ok;
  boost::asio::ip::address redirect_to;
};

// "ok", "silent", "wrong-nonce", "redirect ADDR" or "redirect:ADDR".
tl::expected<Mode, std::string> ParseMode(std::string_view text);
std::string ToString(const Mode& mode);

// "ADDR:PORT" or "[V6ADDR]:PORT".
tl::expected<boost::asio::ip::udp::endpoint, std::string> ParseEndpoint(std::string_view text);
std::string ToString(const boost::asio::ip::udp::endpoint& endpoint);

// The relay stand-in: answers each Relay Discovery from the socket it came in
// on, so the answer's source is the listen address and port.
class Responder {
 public:
  Responder(boost::asio::io_context& io, boost::asio::ip::address relay, Mode mode);
  tl::expected<void, std::string> Listen(const boost::asio::ip::udp::endpoint& at);
  boost::asio::ip::udp::endpoint local() const;

  void set_mode(Mode mode) { mode_ = std::move(mode); }
  const Mode& mode() const { return mode_; }
  std::uint64_t discoveries() const { return discoveries_; }
  std::uint64_t answers() const { return answers_; }

 private:
  void Receive();

  boost::asio::ip::udp::socket socket_;
  boost::asio::ip::address relay_;
  Mode mode_;
  boost::asio::ip::udp::endpoint sender_;
  std::array<std::uint8_t, 512> buffer_{};
  std::uint64_t discoveries_ = 0;
  std::uint64_t answers_ = 0;
};

// Text lines in, one reply per line: `mode ok|silent|wrong-nonce|redirect ADDR`
// and `stats` (a `discoveries N answers M mode X` line); then `ok`, or
// `error: why`.
class ControlServer {
 public:
  ControlServer(boost::asio::io_context& io, Responder& responder);
  tl::expected<void, std::string> Listen(const boost::asio::ip::tcp::endpoint& at);
  boost::asio::ip::tcp::endpoint local() const;
  void Close();

 private:
  void Accept();

  boost::asio::ip::tcp::acceptor acceptor_;
  Responder& responder_;
};

// Runs one control command against `responder`; the whole reply, newlines
// included.
std::string Execute(std::string_view line, Responder& responder);

}  // namespace driad::amtresponder
