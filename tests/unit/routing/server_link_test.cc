// ServerLink on a real libuv loop with what a real storage node cannot be made to show on demand:
// a node that stops reading (the write queue's bound), bytes right behind the login OK, pausing,
// and a close in the middle of a lookup or a connect. The login against real MariaDB nodes (plain,
// TLS, 1045, 2003) is tests/integration/test_server_link.py. Every test ends with the loop closing
// with no live handle.
#include "routing/server_link.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include "protocol/mysql_wire/frame.h"
#include "tests/unit/routing/test_handshake.h"
#include "tests/unit/routing/test_sockets.h"

namespace grouter::routing::testing {
namespace {

// A scripted node on 127.0.0.1: greets, reads the HandshakeResponse, answers OK followed by
// AFTER_OK, then echoes what it reads until ECHO_BYTES were echoed (it reads no further: the
// link's writes back up) or the peer closes.
class ScriptedNode {
 public:
  ScriptedNode(Bytes after_ok, std::size_t echo_bytes) {
    listen_fd_ = loopback_socket(4);
    port_ = local_port(listen_fd_);
    thread_ = std::thread([this, after_ok = std::move(after_ok), echo_bytes] {
      fd_ = accept(listen_fd_, nullptr, nullptr);
      if (fd_ < 0) return;
      const Bytes greeting = frame(0, payload_of(node_greeting()));
      send(fd_, greeting.data(), greeting.size(), 0);
      Bytes in;
      char buffer[4096];
      while (!wire::decode_frame(in)) {
        const ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
        if (n <= 0) return;
        in.insert(in.end(), buffer, buffer + n);
      }
      Bytes ok = frame(2, ok_payload());
      ok.insert(ok.end(), after_ok.begin(), after_ok.end());
      send(fd_, ok.data(), ok.size(), 0);
      std::size_t echoed = 0;
      while (echoed < echo_bytes) {
        const ssize_t n = recv(fd_, buffer, std::min(sizeof(buffer), echo_bytes - echoed), 0);
        if (n <= 0) return;
        send(fd_, buffer, static_cast<std::size_t>(n), 0);
        echoed += static_cast<std::size_t>(n);
        echoed_ = echoed;
      }
      while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    });
  }
  ~ScriptedNode() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    if (thread_.joinable()) thread_.join();
    if (fd_ >= 0) close(fd_);
  }
  std::uint16_t port() const { return port_; }
  // Bytes echoed so far (they are in the link's socket buffer once counted: loopback).
  std::size_t echoed() const { return echoed_; }

 private:
  int listen_fd_ = -1;
  int fd_ = -1;
  std::atomic<std::size_t> echoed_ = 0;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

LoginRequest login_request() {
  LoginRequest r;
  r.user = "app";
  r.proof = Bytes(20, 0x42);
  r.capabilities = kClientCaps;
  r.host = "127.0.0.1";
  return r;
}

// A loop for one test, run until a condition holds (a 10 s bound, never a sleep), closed at the
// end with a check that no handle is left.
class Loop {
 public:
  Loop() {
    uv_loop_init(&loop_);
    uv_timer_init(&loop_, &tick_);
  }
  uv_loop_t* get() { return &loop_; }
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    // A ticking timer: UV_RUN_ONCE returns at least every 5 ms to look at DONE.
    uv_timer_start(
        &tick_, [](uv_timer_t*) {}, 5, 5);
    while (!done() && std::chrono::steady_clock::now() < deadline) uv_run(&loop_, UV_RUN_ONCE);
    uv_timer_stop(&tick_);
    return done();
  }
  // Closes LINK, runs the loop until its on_closed ran, and closes the loop; 0: no live handles.
  int close(ServerLink& link) {
    bool closed = false;
    link.close([&closed] { closed = true; });
    EXPECT_TRUE(run_until([&closed] { return closed; }));
    return finish();
  }
  // Closes the loop (its own timer first); 0: no live handles were left.
  int finish() {
    uv_close(reinterpret_cast<uv_handle_t*>(&tick_), nullptr);
    uv_run(&loop_, UV_RUN_DEFAULT);
    return uv_loop_close(&loop_);
  }

 private:
  uv_loop_t loop_{};
  uv_timer_t tick_{};
};

struct Observed {
  std::optional<std::expected<LoginResult, LinkError>> ready;
  Bytes bytes;
  std::optional<LinkError> lost;
};

void open_observed(ServerLink& link, Observed& seen) {
  link.open([&seen](std::expected<LoginResult, LinkError> r) { seen.ready = std::move(r); },
            [&seen](std::span<const std::uint8_t> b) {
              seen.bytes.insert(seen.bytes.end(), b.begin(), b.end());
            },
            [&seen](LinkError e) { seen.lost = std::move(e); });
}

TEST(ServerLink, LogsInDeliversTheBytesAfterTheOkAndRelays) {
  ScriptedNode node(Bytes{0x01, 0x02}, 4);
  Loop loop;
  ServerLink link(loop.get(), Logger(), Destination{"127.0.0.1", node.port()},
                  std::chrono::milliseconds(2000), login_request());
  Observed seen;
  open_observed(link, seen);
  ASSERT_TRUE(loop.run_until([&] { return seen.ready.has_value() && seen.bytes.size() >= 2; }));
  ASSERT_TRUE(seen.ready->has_value()) << seen.ready->error().message;
  EXPECT_EQ((*seen.ready)->connection_id, 42u);
  EXPECT_TRUE(link.ready());
  EXPECT_EQ(seen.bytes, (Bytes{0x01, 0x02}));

  // Paused, the echo waits in the socket (it is there once the node counted it); resumed, it
  // arrives.
  link.pause_reading();
  ASSERT_TRUE(link.send(Bytes{'p', 'i', 'n', 'g'}));
  ASSERT_TRUE(loop.run_until([&] { return node.echoed() == 4; }));
  for (int i = 0; i < 3; ++i) uv_run(loop.get(), UV_RUN_NOWAIT);
  EXPECT_EQ(seen.bytes.size(), 2u);
  link.resume_reading();
  ASSERT_TRUE(loop.run_until([&] { return seen.bytes.size() >= 6; }));
  EXPECT_EQ(seen.bytes, (Bytes{0x01, 0x02, 'p', 'i', 'n', 'g'}));
  EXPECT_FALSE(seen.lost.has_value());
  EXPECT_EQ(loop.close(link), 0);
}

TEST(ServerLink, TheWriteQueueHasABoundTheCallerSees) {
  ScriptedNode node({}, 0);
  Loop loop;
  constexpr std::size_t kChunk = 256 * 1024;
  ServerLink link(loop.get(), Logger(), Destination{"127.0.0.1", node.port()},
                  std::chrono::milliseconds(2000), login_request(), 4 * kChunk);
  Observed seen;
  open_observed(link, seen);
  ASSERT_TRUE(loop.run_until([&] { return seen.ready.has_value(); }));
  ASSERT_TRUE(seen.ready->has_value()) << seen.ready->error().message;
  // Without running the loop, the first write stays in flight and the rest queue up to the bound.
  const Bytes chunk(kChunk, 0x55);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(link.send(chunk)) << "chunk " << i;
  EXPECT_FALSE(link.send(chunk));
  EXPECT_EQ(link.queue_full_count(), 1u);
  EXPECT_TRUE(link.ready());  // the link stays up; the caller decides
  EXPECT_EQ(loop.close(link), 0);
}

TEST(ServerLink, ClosingWhileConnectingOrResolvingRunsNoCallbackButOnClosed) {
  ScriptedNode node({}, 0);
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    Loop loop;
    ServerLink link(loop.get(), Logger(), Destination{host, node.port()},
                    std::chrono::milliseconds(2000), login_request());
    Observed seen;
    open_observed(link, seen);
    EXPECT_EQ(loop.close(link), 0) << host;
    EXPECT_FALSE(seen.ready.has_value()) << host;
  }
}

TEST(ServerLink, AClosedPortFailsWith2003AndTheCallbackMayClose) {
  Loop loop;
  ServerLink link(loop.get(), Logger(), Destination{"127.0.0.1", closed_port()},
                  std::chrono::milliseconds(2000), login_request());
  std::optional<LinkError> error;
  bool closed = false;
  link.open(
      [&](std::expected<LoginResult, LinkError> r) {
        ASSERT_FALSE(r.has_value());
        error = r.error();
        link.close([&closed] { closed = true; });
      },
      [](std::span<const std::uint8_t>) {}, [](LinkError) {});
  ASSERT_TRUE(loop.run_until([&] { return closed; }));
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->code, 2003);
  EXPECT_FALSE(link.send(Bytes{1}));
  EXPECT_EQ(loop.finish(), 0);
}

}  // namespace
}  // namespace grouter::routing::testing
