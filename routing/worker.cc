// Worker loop: accept, own connections, stop on request.
#include "routing/worker.h"

#include <unistd.h>

#include "routing/connection.h"

namespace grouter::routing {

Worker::Worker(Logger logger, std::vector<RouteListener> listeners)
    : pending_(std::move(listeners)) {
  context_.logger = std::move(logger);
}

Worker::~Worker() {
  stop();
  for (const auto& l : pending_) {
    if (l.fd >= 0) close(l.fd);
  }
}

std::expected<void, std::string> Worker::start() {
  uv_loop_init(&loop_);
  loop_.data = &context_;
  context_.loop = &loop_;
  uv_async_init(&loop_, &stop_async_, [](uv_async_t* async) {
    static_cast<Worker*>(async->data)->on_stop();
  });
  stop_async_.data = this;
  uv_async_init(&loop_, &wake_async_, [](uv_async_t* async) {
    static_cast<Worker*>(async->data)->on_wake();
  });
  wake_async_.data = this;
  member_waiter_ = std::make_unique<MemberWaiter>(&loop_, context_.logger);
  context_.member_waiter = member_waiter_.get();

  for (auto& pending : pending_) {
    auto listener = std::make_unique<Listener>();
    listener->route = pending.route;
    listener->context = &context_;
    listener->tcp.data = listener.get();
    uv_tcp_init(&loop_, &listener->tcp);
    int rc = uv_tcp_open(&listener->tcp, pending.fd);
    if (rc == 0) {
      pending.fd = -1;  // owned by the handle now
      rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp), 1024, on_connection_cb);
    }
    listeners_.push_back(std::move(listener));
    if (rc != 0) {
      on_stop();
      uv_run(&loop_, UV_RUN_DEFAULT);
      uv_loop_close(&loop_);
      return std::unexpected("[routing:" + pending.route->name() + "] cannot listen: " +
                             uv_strerror(rc));
    }
  }
  for (const auto& listener : listeners_) {
    if (!listener->route->config().group) continue;
    const auto id = listener->route->add_waker([this] { uv_async_send(&wake_async_); });
    wakers_.emplace_back(listener->route, id);
  }
  thread_ = std::thread([this] {
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (int rc = uv_loop_close(&loop_); rc != 0) {
      context_.logger.error("worker loop closed with live handles: {}", uv_strerror(rc));
    } else {
      closed_cleanly_ = true;
    }
  });
  started_ = true;
  return {};
}

void Worker::stop() {
  if (!started_) return;
  started_ = false;
  for (const auto& [route, id] : wakers_) route->remove_waker(id);
  wakers_.clear();
  uv_async_send(&stop_async_);
  thread_.join();
}

void Worker::on_stop() {
  for (auto& listener : listeners_) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener->tcp))) {
      uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp), nullptr);
    }
  }
  // close() may free a connection only from a later close callback, so iterating is safe.
  for (auto& [raw, connection] : context_.connections) connection->close();
  if (member_waiter_) member_waiter_->close([] {});
  uv_close(reinterpret_cast<uv_handle_t*>(&stop_async_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&wake_async_), nullptr);
}

void Worker::on_wake() {
  // A connection closes only through later close callbacks, so iterating here is safe.
  for (auto& [raw, connection] : context_.connections) connection->on_destinations_changed();
  if (member_waiter_) member_waiter_->on_view_changed();
}

void Worker::on_connection_cb(uv_stream_t* server, int status) {
  auto* listener = static_cast<Listener*>(server->data);
  WorkerContext& context = *listener->context;
  if (status != 0) {
    context.logger.warning("[routing:{}] accept error: {}", listener->route->name(),
                           uv_strerror(status));
    return;
  }
  auto connection = std::make_unique<Connection>(context, listener->route);
  Connection* raw = connection.get();
  context.connections.emplace(raw, std::move(connection));
  raw->start(server);
}

}  // namespace grouter::routing
