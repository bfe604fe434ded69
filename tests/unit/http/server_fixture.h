// The fixture of the HttpServer tests: a real loop on the test thread serves one HttpServer while a
// blocking client runs on its own thread; the client may run code on the loop's thread and close
// the server. Every test ends with uv_loop_close() == 0: the server leaves no live handle behind.
#pragma once

#include <uv.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "router/http/http_server.h"
#include "test_client.h"

namespace grouter::http::testing {

// What a client thread is given: the server's port, a way to run code on the loop, and a way to
// close the server before the client returns. Lives on the loop thread's stack while serving.
class ClientSide {
 public:
  ClientSide(uv_loop_t* loop, HttpServer& server);
  ClientSide(const ClientSide&) = delete;
  ClientSide& operator=(const ClientSide&) = delete;

  uint16_t port() const { return port_; }
  // Runs `task` on the loop's thread and returns once it has run. Not after close_server().
  void on_loop(const std::function<void()>& task);
  // Evaluates `condition` on the loop's thread every few ms until it holds (true) or 5 s pass.
  bool wait_until(const std::function<bool()>& condition);
  // Waits (as wait_until) for the server to hold `count` connections.
  bool wait_for_connection_count(std::size_t count);
  void close_server();
  bool server_closed() const { return server_closed_; }  // loop thread, once the loop has ended

 private:
  static void on_wake(uv_async_t* async);

  HttpServer& server_;
  const uint16_t port_;
  uv_async_t wake_{};
  std::mutex mutex_;
  std::condition_variable done_;
  const std::function<void()>* task_ = nullptr;  // guarded by mutex_
  bool close_requested_ = false;                 // guarded by mutex_
  bool server_closed_ = false;                   // loop thread
};

// Reads a final error response: `status`, JSON, "Connection: close", then the server closes.
void expect_final_error(TestClient& client, int status);

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(uv_loop_init(&loop_), 0); }
  void TearDown() override { EXPECT_EQ(uv_loop_close(&loop_), 0); }

  // Serves `handler` (a Handler or an AsyncHandler) on 127.0.0.1 (or `host`) while `client` runs
  // on its own thread, then closes the server and runs the loop until nothing is left.
  template <typename AnyHandler>
  void serve(AnyHandler handler, const std::function<void(ClientSide&)>& client, Limits limits = {},
             const std::string& host = "127.0.0.1") {
    HttpServer server(&loop_, Logger(), std::move(handler), limits);
    run(server, client, host);
  }

  uv_loop_t loop_{};

 private:
  void run(HttpServer& server, const std::function<void(ClientSide&)>& client,
           const std::string& host);
};

}  // namespace grouter::http::testing
