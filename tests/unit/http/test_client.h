// A blocking HTTP client over a real loopback socket, for tests: it runs on its own thread while the
// server's loop runs on the test thread. Every receive times out after a few seconds, so a broken
// server fails a test instead of hanging it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace grouter::http::testing {

struct ClientResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
};

class TestClient {
 public:
  // Connects to `host` (an IPv4 or IPv6 literal) at `port`; connected() tells whether it worked.
  TestClient(const std::string& host, uint16_t port);
  ~TestClient();
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // Reads one response; its body is read by Content-Length unless `head_request`.
  std::optional<ClientResponse> read_response(bool head_request = false);
  // Reads a response's head only (status and headers; the body stays to be read).
  std::optional<ClientResponse> read_head();
  // Reads up to and including the next MARKER (a streamed body's bytes); nullopt on EOF or timeout.
  std::optional<std::string> read_until(std::string_view marker);
  // Whether the server closes the connection (EOF or reset) before the receive timeout, with no
  // further bytes.
  bool closed_by_server();
  // Whether bytes (or EOF) arrive within `timeout_ms`; they stay for read_response().
  bool readable_within(int timeout_ms);
  // Ends our sending side (the server reads EOF) and keeps reading.
  void shutdown_write();
  // Closes with a reset (SO_LINGER 0); the client is not connected afterwards.
  void reset();

 private:
  bool fill();  // one recv() into buffer_; false on EOF, error or timeout

  int fd_ = -1;
  std::string buffer_;
};

}  // namespace grouter::http::testing
