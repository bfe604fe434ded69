// A worker: one libuv loop on its own thread, with one listening socket per route (SO_REUSEPORT)
// and the client connections accepted on them. Other threads talk to it only through stop().
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "routing/member_waiter.h"
#include "routing/route.h"
#include "routing/worker_context.h"

namespace grouter::routing {

struct RouteListener {
  std::shared_ptr<Route> route;
  int fd = -1;  // a listening socket from open_listen_sockets(); the worker takes ownership
};

class Worker {
 public:
  Worker(Logger logger, std::vector<RouteListener> listeners);
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;
  ~Worker();  // stops and joins if still running

  // Starts the thread. Errors (a socket libuv cannot adopt) name the route.
  std::expected<void, std::string> start();

  // Thread-safe: closes the listeners and every connection, then joins the thread.
  void stop();

  // After stop(): whether the loop closed with no live handle left.
  bool closed_cleanly() const { return closed_cleanly_; }

 private:
  struct Listener {
    uv_tcp_t tcp{};
    std::shared_ptr<Route> route;
    WorkerContext* context = nullptr;
  };

  static void on_connection_cb(uv_stream_t* server, int status);
  void on_stop();
  void on_wake();

  uv_loop_t loop_{};
  uv_async_t stop_async_{};
  uv_async_t wake_async_{};  // a route published new destinations
  std::vector<std::pair<std::shared_ptr<Route>, std::uint64_t>> wakers_;  // removed before stop
  WorkerContext context_;
  std::unique_ptr<MemberWaiter> member_waiter_;
  std::vector<RouteListener> pending_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  std::thread thread_;
  bool started_ = false;
  bool closed_cleanly_ = false;
};

}  // namespace grouter::routing
