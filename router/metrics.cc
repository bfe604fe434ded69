// Prometheus text format (version 0.0.4) for the routes' counters.
#include <string>

#include "router/rest_api.h"

namespace grouter {
namespace {

struct Metric {
  const char* name;
  const char* type;
  const char* help;
  std::uint64_t (*value)(const routing::Route&);
};

std::uint64_t load(const std::atomic<std::uint64_t>& a) { return a.load(std::memory_order_relaxed); }

constexpr Metric kMetrics[] = {
    {"grouter_route_active_connections", "gauge", "Client connections open on the route.",
     [](const routing::Route& r) { return load(r.counters().active_connections); }},
    {"grouter_route_connections_total", "counter", "Client connections admitted by the route.",
     [](const routing::Route& r) { return load(r.counters().total_connections); }},
    {"grouter_route_bytes_from_server_total", "counter", "Bytes relayed from destinations to clients.",
     [](const routing::Route& r) { return load(r.counters().bytes_from_server); }},
    {"grouter_route_bytes_to_server_total", "counter", "Bytes relayed from clients to destinations.",
     [](const routing::Route& r) { return load(r.counters().bytes_to_server); }},
    {"grouter_route_client_connect_errors_total", "counter",
     "Client handshakes that failed or timed out (these count toward max_connect_errors).",
     [](const routing::Route& r) { return load(r.counters().client_connect_errors); }},
    {"grouter_route_destination_connect_errors_total", "counter",
     "Failed attempts to connect to a destination.",
     [](const routing::Route& r) { return load(r.counters().destination_connect_errors); }},
    {"grouter_route_no_destination_total", "counter",
     "Clients refused with 1429 because no destination was reachable.",
     [](const routing::Route& r) { return load(r.counters().no_destination_errors); }},
    {"grouter_route_max_connections_refused_total", "counter",
     "Clients refused with 1040 because max_connections was reached.",
     [](const routing::Route& r) { return load(r.counters().max_connections_refused); }},
    {"grouter_route_blocked_refused_total", "counter",
     "Clients refused with 1129 because their host is blocked.",
     [](const routing::Route& r) { return load(r.counters().blocked_refused); }},
    {"grouter_route_blocked_hosts", "gauge", "Client hosts blocked by max_connect_errors.",
     [](const routing::Route& r) {
       return static_cast<std::uint64_t>(r.blocked_hosts().blocked().size());
     }},
};

}  // namespace

std::string render_metrics(const std::vector<std::shared_ptr<routing::Route>>& routes) {
  std::string out;
  for (const Metric& metric : kMetrics) {
    out += std::string("# HELP ") + metric.name + " " + metric.help + "\n";
    out += std::string("# TYPE ") + metric.name + " " + metric.type + "\n";
    for (const auto& route : routes) {
      // Route names come from INI section names: no quotes or backslashes can appear in them.
      out += std::string(metric.name) + "{route=\"" + route->name() + "\"} " +
             std::to_string(metric.value(*route)) + "\n";
    }
  }
  return out;
}

}  // namespace grouter
