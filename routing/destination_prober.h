// Lets destinations out of quarantine. Every refresh interval it tries a TCP connect to each
// quarantined destination of every route (bounded by the route's connect_timeout) and releases
// the ones that accept. Destinations named by a hostname are released after one interval without
// a probe: the next client connection tries them. Runs on the control loop; not thread-safe.
//
// Lifetime: owns a timer and the probes in flight; close() must run, and its callback fire,
// before destruction.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <utility>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "routing/route.h"

namespace grouter::routing {

class DestinationProber {
 public:
  static constexpr std::chrono::milliseconds kDefaultRefreshInterval{1000};

  DestinationProber(uv_loop_t* loop, Logger logger, std::vector<std::shared_ptr<Route>> routes,
                    std::chrono::milliseconds refresh_interval = kDefaultRefreshInterval);
  DestinationProber(const DestinationProber&) = delete;
  DestinationProber& operator=(const DestinationProber&) = delete;

  void start();
  // Stops the timer and every probe; ON_CLOSED runs once all handles are closed.
  void close(std::function<void()> on_closed);

 private:
  struct Probe {
    uv_tcp_t tcp{};
    uv_connect_t request{};
    uv_timer_t timeout{};
    DestinationProber* owner = nullptr;
    Route* route = nullptr;
    std::size_t index = 0;
    int open_handles = 0;
    bool finished = false;
  };

  void tick();
  void start_probe(Route& route, std::size_t index);
  void finish(Probe* probe, bool reachable);
  void on_probe_closed(Probe* probe);
  void maybe_closed();

  uv_loop_t* const loop_;
  const Logger logger_;
  const std::vector<std::shared_ptr<Route>> routes_;
  const std::chrono::milliseconds interval_;
  uv_timer_t timer_{};
  bool timer_open_ = false;
  bool closing_ = false;
  std::function<void()> on_closed_;
  std::set<Probe*> probes_;                              // in flight
  std::set<std::pair<const Route*, std::size_t>> probing_;  // (route, destination) in flight
};

}  // namespace grouter::routing
