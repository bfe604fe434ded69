// One server connection of a session on a worker loop, logged in with the client's proof (see
// server_login.h): the libuv side around ServerLogin.
//
//   idle ── open ──► connecting (a hostname is resolved first) ──► logging in ──► ready
//   connect_timeout bounds resolve + TCP connect (2003 when it passes); a second connect_timeout
//   bounds the login (2013). Any failure ──► failed: the socket is closed, on_ready (before ready)
//   or on_lost (after) says why, once.
//   close(on_closed) from any state ──► closing ──► closed: on_closed runs after the last handle's
//   close callback and is the last thing the link does, so it may destroy the link.
//
// Writes: one uv_write in flight; what send() gets meanwhile waits in a queue of at most
// max_queued_bytes (send() returns false when it would pass, and counts it; the link stays up).
// Reads: on_bytes gets the node's plaintext as it arrives; pause_reading()/resume_reading() for
// back-pressure.
//
// Callbacks run on the loop and may call send(), pause_reading(), resume_reading() and close().
// No callback but on_closed runs after close().
//
// Lifetime (STYLE.md): not copied or moved; close() must be called and on_closed must have run
// before destruction. Not thread-safe: use it from its loop's thread only.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "base/tcp_client_socket.h"
#include "routing/destination.h"
#include "routing/server_login.h"

namespace grouter::routing {

class ServerLink {
 public:
  using ReadyCallback = std::function<void(std::expected<LoginResult, LinkError>)>;
  using BytesCallback = std::function<void(std::span<const std::uint8_t>)>;
  using LostCallback = std::function<void(LinkError)>;

  static constexpr std::size_t kDefaultMaxQueuedBytes = 16 * 1024 * 1024;

  ServerLink(uv_loop_t* loop, Logger logger, Destination destination,
             std::chrono::milliseconds connect_timeout, LoginRequest login,
             std::size_t max_queued_bytes = kDefaultMaxQueuedBytes);
  ServerLink(const ServerLink&) = delete;
  ServerLink& operator=(const ServerLink&) = delete;
  ServerLink(ServerLink&&) = delete;
  ServerLink& operator=(ServerLink&&) = delete;
  ~ServerLink();

  // Connects and logs in. ON_READY runs once (unless close() comes first); after it succeeded,
  // ON_BYTES gets what the node sends and ON_LOST runs at most once, when the connection fails.
  // Call at most once, before close().
  void open(ReadyCallback on_ready, BytesCallback on_bytes, LostCallback on_lost);
  // Sends PLAINTEXT to the node (encrypted on a TLS leg). False when nothing was queued: not ready,
  // failed or closing, the queue would pass max_queued_bytes (queue_full_count() counts those;
  // the link stays up), or encryption failed (the link fails: on_lost runs before this returns).
  bool send(std::span<const std::uint8_t> plaintext);
  void pause_reading();
  void resume_reading();
  // Closes the socket and timer; ON_CLOSED runs once, after every handle closed. Call once.
  void close(std::function<void()> on_closed);

  [[nodiscard]] bool ready() const { return state_ == State::kReady; }
  [[nodiscard]] std::uint64_t queue_full_count() const { return queue_full_count_; }
  [[nodiscard]] const Destination& destination() const { return destination_; }

 private:
  enum class State {
    kIdle,
    kConnecting,  // resolving (hostnames) and connecting
    kLoggingIn,
    kReady,
    kFailed,
    kClosing,
    kClosed,
  };

  void on_connected(int status, const char* step);
  void on_read(ssize_t nread);
  void start_deadline();  // connect_timeout from now
  void on_timeout();
  void update_reading();
  void write(std::span<const std::uint8_t> bytes);
  void start_write();
  void on_write_done(int status);
  void fail(LinkError error);
  void close_socket();
  void maybe_closed();

  uv_loop_t* const loop_;
  const Logger logger_;
  const Destination destination_;
  const std::chrono::milliseconds connect_timeout_;
  const std::size_t max_queued_bytes_;
  ServerLogin login_;

  State state_ = State::kIdle;
  TcpClientSocket socket_;
  uv_timer_t timer_{};
  uv_write_t write_request_{};
  bool timer_open_ = false;
  bool reading_ = false;
  bool paused_ = false;

  std::vector<std::uint8_t> writing_;  // the bytes of the uv_write in flight
  std::vector<std::uint8_t> queued_;   // bytes waiting for it
  bool write_active_ = false;          // its callback is due
  std::uint64_t queue_full_count_ = 0;

  ReadyCallback on_ready_;
  BytesCallback on_bytes_;
  LostCallback on_lost_;
  std::function<void()> on_closed_;

  std::array<char, 64 * 1024> read_buffer_{};
};

}  // namespace grouter::routing
