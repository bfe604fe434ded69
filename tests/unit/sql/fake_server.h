// A scripted fake MySQL server for the faults a real server cannot be made to show (garbage
// greetings, a close in the middle of a result, auth switches MariaDB never sends this client).
// It accepts one client on a loopback port and plays its script: send bytes, wait for one packet
// from the client, or close. Runs on the test's loop; close() it (and let the loop run) before
// destruction.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include <uv.h>

namespace grouter::metadata::sql::testing {

class FakeServer {
 public:
  struct Step {
    enum class Kind { kSend, kAwaitPacket, kClose } kind;
    std::vector<std::uint8_t> bytes;  // kSend
  };

  // Listens on HOST ("127.0.0.1" or "::1"), port chosen by the kernel.
  FakeServer(uv_loop_t* loop, const std::string& host, std::vector<Step> script);
  FakeServer(const FakeServer&) = delete;
  FakeServer& operator=(const FakeServer&) = delete;

  [[nodiscard]] bool listening() const { return listening_; }
  [[nodiscard]] std::uint16_t port() const { return port_; }
  // Payloads of the packets the client sent, in order.
  [[nodiscard]] const std::vector<std::vector<std::uint8_t>>& received() const { return received_; }
  [[nodiscard]] bool script_done() const { return script_.empty(); }
  // Closes every handle; closed() turns true once their callbacks ran.
  void close();
  [[nodiscard]] bool closed() const { return open_handles_ == 0; }

 private:
  void on_connection();
  void on_read(ssize_t nread, const uv_buf_t* buf);
  void play();
  void close_client();

  uv_loop_t* loop_;
  uv_tcp_t listener_{};
  uv_tcp_t client_{};
  bool listening_ = false;
  bool client_open_ = false;
  int open_handles_ = 0;
  std::uint16_t port_ = 0;
  std::deque<Step> script_;
  std::vector<std::uint8_t> input_;
  std::vector<std::vector<std::uint8_t>> received_;
  std::vector<char> read_buffer_ = std::vector<char>(64 * 1024);
};

// Builders for scripts; byte layouts from protocol/mysql_wire.
FakeServer::Step send_packet(std::uint8_t sequence_id, const std::vector<std::uint8_t>& payload);
FakeServer::Step send_raw(std::vector<std::uint8_t> bytes);
FakeServer::Step await_packet();
FakeServer::Step close_connection();

}  // namespace grouter::metadata::sql::testing
