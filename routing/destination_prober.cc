// Periodic TCP probes of quarantined destinations.
#include "routing/destination_prober.h"

namespace grouter::routing {

DestinationProber::DestinationProber(uv_loop_t* loop, Logger logger,
                                     std::vector<std::shared_ptr<Route>> routes,
                                     std::chrono::milliseconds refresh_interval)
    : loop_(loop), logger_(std::move(logger)), routes_(std::move(routes)), interval_(refresh_interval) {}

void DestinationProber::start() {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  timer_open_ = true;
  const auto interval = static_cast<std::uint64_t>(interval_.count());
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<DestinationProber*>(timer->data)->tick(); },
      interval, interval);
}

void DestinationProber::tick() {
  for (const auto& route : routes_) {
    for (std::size_t i = 0; i < route->config().destinations.size(); ++i) {
      if (route->is_quarantined(i) && !probing_.contains({route.get(), i})) start_probe(*route, i);
    }
  }
}

void DestinationProber::start_probe(Route& route, std::size_t index) {
  const Destination& destination = route.config().destinations[index];
  sockaddr_storage address{};
  if (uv_ip4_addr(destination.host.c_str(), destination.port,
                  reinterpret_cast<sockaddr_in*>(&address)) != 0 &&
      uv_ip6_addr(destination.host.c_str(), destination.port,
                  reinterpret_cast<sockaddr_in6*>(&address)) != 0) {
    route.release_from_quarantine(index);  // a hostname: let the next client try it
    return;
  }
  auto* probe = new Probe;
  probe->owner = this;
  probe->route = &route;
  probe->index = index;
  probe->tcp.data = probe;
  probe->request.data = probe;
  probe->timeout.data = probe;
  uv_tcp_init(loop_, &probe->tcp);
  uv_timer_init(loop_, &probe->timeout);
  probe->open_handles = 2;
  probes_.insert(probe);
  probing_.insert({&route, index});
  int rc = uv_tcp_connect(&probe->request, &probe->tcp, reinterpret_cast<const sockaddr*>(&address),
                          [](uv_connect_t* request, int status) {
                            auto* p = static_cast<Probe*>(request->data);
                            p->owner->finish(p, status == 0);
                          });
  if (rc != 0) {
    finish(probe, false);
    return;
  }
  uv_timer_start(
      &probe->timeout,
      [](uv_timer_t* timer) {
        auto* p = static_cast<Probe*>(timer->data);
        p->owner->finish(p, false);
      },
      static_cast<std::uint64_t>(route.config().connect_timeout.count()), 0);
}

void DestinationProber::finish(Probe* probe, bool reachable) {
  if (probe->finished) return;
  probe->finished = true;
  if (reachable && !closing_) {
    probe->route->release_from_quarantine(probe->index);
    logger_.info("[routing:{}] {} is reachable again", probe->route->name(),
                 probe->route->config().destinations[probe->index].to_string());
  }
  auto on_close = [](uv_handle_t* handle) {
    auto* p = static_cast<Probe*>(handle->data);
    p->owner->on_probe_closed(p);
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&probe->tcp), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&probe->timeout), on_close);
}

void DestinationProber::on_probe_closed(Probe* probe) {
  if (--probe->open_handles > 0) return;
  probing_.erase({probe->route, probe->index});
  probes_.erase(probe);
  delete probe;
  maybe_closed();
}

void DestinationProber::close(std::function<void()> on_closed) {
  closing_ = true;
  on_closed_ = std::move(on_closed);
  if (timer_open_) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* handle) {
      auto* self = static_cast<DestinationProber*>(handle->data);
      self->timer_open_ = false;
      self->maybe_closed();
    });
  }
  for (Probe* probe : std::set<Probe*>(probes_)) finish(probe, false);
  maybe_closed();
}

void DestinationProber::maybe_closed() {
  if (!closing_ || timer_open_ || !probes_.empty() || !on_closed_) return;
  auto callback = std::move(on_closed_);
  on_closed_ = nullptr;
  callback();
}

}  // namespace grouter::routing
