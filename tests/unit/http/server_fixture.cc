// ClientSide over a uv_async_t, and the serve() loop of HttpServerTest.
#include "server_fixture.h"

#include <chrono>
#include <thread>

namespace grouter::http::testing {

namespace {

constexpr int kWaitRounds = 1000;
constexpr auto kWaitStep = std::chrono::milliseconds(5);

}  // namespace

ClientSide::ClientSide(uv_loop_t* loop, HttpServer& server)
    : server_(server), port_(server.port()) {
  wake_.data = this;
  EXPECT_EQ(uv_async_init(loop, &wake_, &on_wake), 0);
}

void ClientSide::on_wake(uv_async_t* async) {
  auto* self = static_cast<ClientSide*>(async->data);
  std::lock_guard lock(self->mutex_);
  if (self->task_ != nullptr) {
    (*self->task_)();
    self->task_ = nullptr;
    self->done_.notify_all();
  }
  if (self->close_requested_) {
    self->server_.close([self] { self->server_closed_ = true; });
    uv_close(reinterpret_cast<uv_handle_t*>(async), nullptr);  // no wake-up runs after this one
  }
}

void ClientSide::on_loop(const std::function<void()>& task) {
  std::unique_lock lock(mutex_);
  task_ = &task;
  uv_async_send(&wake_);
  done_.wait(lock, [&] { return task_ == nullptr; });
}

bool ClientSide::wait_until(const std::function<bool()>& condition) {
  for (int round = 0; round < kWaitRounds; ++round) {
    bool held = false;
    on_loop([&] { held = condition(); });
    if (held) return true;
    std::this_thread::sleep_for(kWaitStep);
  }
  return false;
}

bool ClientSide::wait_for_connection_count(std::size_t count) {
  return wait_until([&] { return server_.connection_count() == count; });
}

void ClientSide::close_server() {
  std::lock_guard lock(mutex_);
  if (close_requested_) return;
  close_requested_ = true;
  uv_async_send(&wake_);
}

void expect_final_error(TestClient& client, int status) {
  auto response = client.read_response();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, status);
  EXPECT_EQ(response->headers["content-type"], "application/json");
  EXPECT_EQ(response->headers["connection"], "close");
  EXPECT_TRUE(client.closed_by_server());
}

void HttpServerTest::run(HttpServer& server, const std::function<void(ClientSide&)>& client,
                         const std::string& host) {
  auto listening = server.listen(host, 0);
  ASSERT_TRUE(listening) << listening.error().message();
  ASSERT_NE(server.port(), 0);
  ClientSide side(&loop_, server);
  std::thread thread([&] {
    client(side);
    side.close_server();
  });
  uv_run(&loop_, UV_RUN_DEFAULT);
  thread.join();
  EXPECT_TRUE(side.server_closed());
  EXPECT_EQ(server.connection_count(), 0u);
}

}  // namespace grouter::http::testing
