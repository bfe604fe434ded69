// REST endpoints: dispatch by path, router status, routes and their status, health,
// destinations, connections, config and blocked hosts, /metrics; 404 with a JSON problem body for
// anything unknown. The group's endpoints are in rest_group.cc.
#include "router/rest_api.h"

#include <ctime>
#include <utility>

#include <nlohmann/json.hpp>

#include "router/group_event_streams.h"
#include "router/http/response_writer.h"
#include "router/status_page/status_page.h"

namespace grouter {
namespace {

using nlohmann::json;
using routing::Route;

constexpr std::string_view kApiPrefix = "/api/20190715";
constexpr std::string_view kGroupApiPrefix = "/api/v1/";
constexpr std::string_view kMetadata = "/metadata";
constexpr std::string_view kEventsPath = "/api/v1/group/events";

// A route's current destinations as MySQL Router's /routes/NAME/destinations items.
json destination_items(const Route& route) {
  json items = json::array();
  for (const auto& destination : route.current_destinations()) {
    items.push_back(json{{"address", destination.host}, {"port", destination.port}});
  }
  return items;
}

// The status page's file at PATH, if it is one.
std::optional<http::Response> status_page_response(std::string_view path) {
  const std::optional<StaticFile> file = status_page_file(path);
  if (!file) return std::nullopt;
  http::Response response{.status = 200,
                          .content_type = std::string(file->content_type),
                          .body = std::string(file->body)};
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'");
  return response;
}

}  // namespace

http::Response json_response(int status, const json& body) {
  http::Response response;
  response.status = status;
  response.content_type = "application/json";
  response.body = body.dump();
  return response;
}

http::Response problem_response(int status, const std::string& detail) {
  http::Response response =
      json_response(status, json{{"title", std::string(http::reason_phrase(status))},
                                 {"status", status},
                                 {"detail", detail}});
  response.content_type = "application/problem+json";
  return response;
}

std::string format_timestamp(routing::EpochMicros micros) {
  if (micros == 0) return "";
  std::time_t seconds = static_cast<std::time_t>(micros / 1000000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof(text) - n, ".%06lldZ", static_cast<long long>(micros % 1000000));
  return text;
}

RestApi::RestApi(ProcessInfo process, std::vector<std::shared_ptr<Route>> routes,
                 metadata::GroupService* group, std::string metadata_cache_name)
    : process_(std::move(process)),
      routes_(std::move(routes)),
      group_(group),
      metadata_cache_name_(std::move(metadata_cache_name)) {}

const Route* RestApi::find_route(const std::string& name) const {
  for (const auto& route : routes_) {
    if (route->name() == name) return route.get();
  }
  return nullptr;
}

void RestApi::handle(const http::Request& request, http::Responder respond) const {
  if (request.path == kEventsPath && (request.method == "GET" || request.method == "HEAD")) {
    if (events_ == nullptr) return respond(json_response(404, json{{"error", "no events stream"}}));
    events_->open(request, respond);
    return;
  }
  if (request.method == "POST" && request.path == std::string(kGroupApiPrefix) + "group/primary") {
    set_primary(request, std::move(respond));
    return;
  }
  if (request.method == "POST" &&
      request.path == std::string(kGroupApiPrefix) + "group/force_members") {
    force_members(request, std::move(respond));
    return;
  }
  if (operator_request(request, respond)) return;
  respond(handle(request));
}

http::Response RestApi::handle(const http::Request& request) const {
  if (request.path.starts_with(kGroupApiPrefix)) return group_api(request);
  if (request.method != "GET" && request.method != "HEAD") {
    return problem_response(405, "only GET is supported on " + request.path);
  }
  if (auto page = status_page_response(request.path)) return std::move(*page);
  if (request.path == "/metrics") {
    http::Response response;
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = render_metrics(routes_);
    if (group_ != nullptr) response.body += render_group_metrics(*group_->state());
    if (events_ != nullptr) response.body += render_event_stream_metrics(*events_);
    return response;
  }
  if (!request.path.starts_with(kApiPrefix)) {
    return problem_response(404, "no such path: " + request.path);
  }
  const std::string path = request.path.substr(kApiPrefix.size());
  if (path == kMetadata || path.starts_with(std::string(kMetadata) + "/")) {
    return metadata_endpoint(path.substr(kMetadata.size()));
  }
  if (path == "/router/status") {
    return json_response(200, json{{"processId", process_.process_id},
                                   {"productEdition", process_.product_edition},
                                   {"timeStarted", format_timestamp(process_.time_started)},
                                   {"version", process_.version},
                                   {"hostname", process_.hostname}});
  }
  if (path == "/routes") {
    json items = json::array();
    for (const auto& route : routes_) items.push_back(json{{"name", route->name()}});
    return json_response(200, json{{"items", items}});
  }
  constexpr std::string_view kRoutes = "/routes/";
  if (path.starts_with(kRoutes)) {
    const std::string rest = path.substr(kRoutes.size());
    const auto slash = rest.find('/');
    if (slash != std::string::npos) {
      const std::string name = rest.substr(0, slash);
      const Route* route = find_route(name);
      if (route == nullptr) return problem_response(404, "no route named '" + name + "'");
      return route_endpoint(*route, rest.substr(slash + 1));
    }
  }
  return problem_response(404, "no such path: " + request.path);
}

http::Response RestApi::route_endpoint(const Route& route, const std::string& what) const {
  const routing::RouteConfig& config = route.config();
  const routing::RouteCounters& counters = route.counters();
  if (what == "status") {
    return json_response(
        200, json{{"activeConnections", counters.active_connections.load()},
                  {"totalConnections", counters.total_connections.load()},
                  {"blockedHosts", route.blocked_hosts().blocked().size()}});
  }
  if (what == "health") {
    const bool alive = route.is_alive();
    return json_response(alive ? 200 : 500, json{{"isAlive", alive}});
  }
  if (what == "destinations") return json_response(200, json{{"items", destination_items(route)}});
  if (what == "blockedHosts") {
    json items = json::array();
    for (const auto& host : route.blocked_hosts().blocked()) items.push_back(host);
    return json_response(200, json{{"items", items}});
  }
  if (what == "connections") {
    json items = json::array();
    for (const auto& c : route.connections()) {
      const auto connected = c->time_connected_to_server.load(std::memory_order_acquire);
      items.push_back(json{
          {"bytesFromServer", c->bytes_from_server.load()},
          {"bytesToServer", c->bytes_to_server.load()},
          {"sourceAddress", c->source_address},
          {"destinationAddress", connected != 0 ? c->destination_address : std::string()},
          {"timeStarted", format_timestamp(c->time_started)},
          {"timeConnectedToServer", format_timestamp(connected)},
          {"timeLastSentToServer", format_timestamp(c->time_last_sent_to_server.load())},
          {"timeLastReceivedFromServer", format_timestamp(c->time_last_received_from_server.load())},
      });
    }
    return json_response(200, json{{"items", items}});
  }
  if (what == "config") {
    return json_response(
        200, json{{"bindAddress", config.bind_address},
                  {"bindPort", config.bind_port},
                  {"clientConnectTimeoutInMs", config.client_connect_timeout.count()},
                  {"destinationConnectionTimeoutInMs", config.connect_timeout.count()},
                  {"maxActiveConnections", config.max_connections},
                  {"maxConnectErrors", config.max_connect_errors},
                  {"protocol", "classic"},
                  {"routingStrategy", std::string(routing::to_string(config.strategy))},
                  {"destinations", config.destinations_text},
                  {"socket", ""}});
  }
  return problem_response(404, "route '" + route.name() + "' has no endpoint '" + what + "'");
}

}  // namespace grouter

namespace grouter {

json RestApi::status_json() const {
  json routes = json::array();
  for (const auto& route : routes_) {
    const routing::RouteConfig& config = route->config();
    routes.push_back(json{{"name", route->name()},
                          {"bind_address", config.bind_address},
                          {"bind_port", config.bind_port},
                          {"routing_strategy", std::string(routing::to_string(config.strategy))},
                          {"destinations", config.destinations_text},
                          {"current_destinations", destination_items(*route)},
                          {"active_connections", route->counters().active_connections.load()},
                          {"total_connections", route->counters().total_connections.load()},
                          {"alive", route->is_alive()}});
  }
  return json{{"group", group_ != nullptr ? group_json(*group_->state(), group_->member_progress())
                                          : json(nullptr)},
              {"routes", std::move(routes)},
              {"router", json{{"version", process_.version},
                              {"hostname", process_.hostname},
                              {"time_started", format_timestamp(process_.time_started)}}},
              {"time", format_timestamp(routing::now_epoch_micros())}};
}

}  // namespace grouter
