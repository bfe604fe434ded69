// The REST API (MySQL Router's /api/20190715 paths and field names) and /metrics, as one
// http::Handler. Runs on the control loop's thread; reads routes' shared state (atomics, mutexes).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "router/http/http_types.h"
#include "routing/route.h"

namespace grouter {

struct ProcessInfo {
  long process_id = 0;
  std::string product_edition;
  std::string version;
  std::string hostname;
  routing::EpochMicros time_started = 0;
};

class RestApi {
 public:
  RestApi(ProcessInfo process, std::vector<std::shared_ptr<routing::Route>> routes);

  http::Response handle(const http::Request& request) const;

 private:
  http::Response route_endpoint(const routing::Route& route, const std::string& what) const;
  const routing::Route* find_route(const std::string& name) const;

  const ProcessInfo process_;
  const std::vector<std::shared_ptr<routing::Route>> routes_;
};

// "2026-11-22T02:45:16.123456Z"; empty for 0.
std::string format_timestamp(routing::EpochMicros micros);

// Prometheus text exposition of the routes' counters.
std::string render_metrics(const std::vector<std::shared_ptr<routing::Route>>& routes);

}  // namespace grouter
