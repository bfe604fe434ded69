// The REST API and /metrics, as one HTTP handler: MySQL Router's /api/20190715 paths and field
// names for the router, its routes and (with a group) its metadata cache; grouter's own
// /api/v1/group for the group's members and the switchover (GR's set_as_primary),
// /api/v1/group/events (group_event_streams.h), and the status page at / (status_page/).
//
// Threading: runs on the control loop's thread; reads routes' shared state (atomics, mutexes) and
// the group through GroupService, whose calls and callbacks are on that thread too.
// Lifetime: the GroupService, when given, must outlive the RestApi. A switchover's answer does not
// refer to the RestApi, so the RestApi may go while one is in flight.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "metadata/group_service.h"
#include "router/http/http_types.h"
#include "router/http/responder.h"
#include "routing/route.h"

namespace grouter {

struct ProcessInfo {
  long process_id = 0;
  std::string product_edition;
  std::string version;
  std::string hostname;
  routing::EpochMicros time_started = 0;
};

class GroupEventStreams;

class RestApi {
 public:
  // `group`: the group's service, or nullptr when no group is configured. `metadata_cache_name`:
  // the GROUP of the routes' metadata-cache://GROUP/ destinations, the name MySQL Router's
  // /metadata endpoints know the group by.
  RestApi(ProcessInfo process, std::vector<std::shared_ptr<routing::Route>> routes,
          metadata::GroupService* group = nullptr, std::string metadata_cache_name = {});

  // Serves GET /api/v1/group/events from EVENTS (it must outlive the RestApi); without it that
  // path answers 404.
  void set_event_streams(GroupEventStreams* events) { events_ = events; }
  // What the status page shows, as its "state" events carry it: {"group": GET /api/v1/group's
  // answer or null, "routes": [{name, bind_address, bind_port, routing_strategy, destinations
  // (configured), current_destinations ["host:port"], active_connections, total_connections,
  // alive}], "router": {version, hostname, time_started}, "time"}.
  [[nodiscard]] nlohmann::json status_json() const;

  // Every endpoint, as an http::AsyncHandler: POST /api/v1/group/primary answers through
  // `respond` once the group has decided, every other request at once.
  void handle(const http::Request& request, http::Responder respond) const;
  // The endpoints that answer at once, as an http::Handler. POST /api/v1/group/primary needs the
  // asynchronous handle() above: here it answers 501 and starts nothing.
  [[nodiscard]] http::Response handle(const http::Request& request) const;

 private:
  [[nodiscard]] http::Response route_endpoint(const routing::Route& route,
                                              const std::string& what) const;
  [[nodiscard]] const routing::Route* find_route(const std::string& name) const;
  // rest_group.cc: /api/v1/..., /api/20190715/metadata... and the switchover.
  [[nodiscard]] http::Response group_api(const http::Request& request) const;
  [[nodiscard]] http::Response metadata_endpoint(const std::string& path) const;
  void set_primary(const http::Request& request, http::Responder respond) const;
  void force_members(const http::Request& request, http::Responder respond) const;
  // POST /api/v1/group/members/{id}/stop|start|bootstrap and POST /api/v1/group/options: the
  // operator's statements (GroupService), answered once done. False: not such a request.
  bool operator_request(const http::Request& request, http::Responder& respond) const;
  [[nodiscard]] bool has_metadata_cache(const std::string& name) const;

  const ProcessInfo process_;
  const std::vector<std::shared_ptr<routing::Route>> routes_;
  metadata::GroupService* const group_;
  const std::string metadata_cache_name_;
  GroupEventStreams* events_ = nullptr;
};

// "2026-11-22T02:45:16.123456Z"; empty for 0.
std::string format_timestamp(routing::EpochMicros micros);

// Prometheus text exposition of the routes' counters.
std::string render_metrics(const std::vector<std::shared_ptr<routing::Route>>& routes);
// Prometheus text for the group: the view's sequence number and the members in each state.
std::string render_group_metrics(const metadata::GroupState& state);
// GET /api/v1/group's answer: the state and, for each member, its progress (MemberProgress of the
// same member_id or name: behind_primary, applier_queue, probed; 0 and false when none is known).
nlohmann::json group_json(const metadata::GroupState& state,
                          const std::vector<metadata::MemberProgress>& progress);

// The JSON answers every REST source builds; a problem is RFC 7807 ({"title", "status",
// "detail"}, application/problem+json) as MySQL Router sends.
http::Response json_response(int status, const nlohmann::json& body);
http::Response problem_response(int status, const std::string& detail);

}  // namespace grouter
