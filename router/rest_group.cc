// The group's REST endpoints: grouter's /api/v1/group (view, primary, members as GR shows them in
// performance_schema.replication_group_members) and /api/v1/group/primary (GR's set_as_primary,
// answered once the group has decided), MySQL Router's /api/20190715/metadata endpoints over the
// group, and the group's lines in /metrics. /api/v1 errors are {"error": "one line"}; the
// /api/20190715 ones are problems, as MySQL Router's.
#include <algorithm>
#include <array>
#include <expected>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "metadata/member_ops.h"
#include "router/rest_api.h"

namespace grouter {
namespace {

using metadata::GroupState;
using metadata::Member;
using metadata::MemberState;
using metadata::SwitchoverFailure;
using nlohmann::json;

constexpr std::string_view kGroupPath = "/api/v1/group";
constexpr std::string_view kPrimaryPath = "/api/v1/group/primary";
constexpr std::string_view kForcePath = "/api/v1/group/force_members";
constexpr std::string_view kEventsPath = "/api/v1/group/events";
constexpr std::string_view kOptionsPath = "/api/v1/group/options";
constexpr std::string_view kVariablesPath = "/api/v1/group/variables";
constexpr std::string_view kMembersPath = "/api/v1/group/members/";

constexpr std::array kMemberStates = {MemberState::kOnline, MemberState::kRecovering,
                                      MemberState::kOffline, MemberState::kError,
                                      MemberState::kUnreachable};

http::Response error_json(int status, const std::string& message) {
  return json_response(status, json{{"error", message}});
}

http::Response method_not_allowed(std::string_view path, const std::string& allow) {
  http::Response response = error_json(405, "use " + allow + " on " + std::string(path));
  response.headers.emplace_back("Allow", allow);
  return response;
}

json member_json(const Member& m, const std::vector<metadata::MemberProgress>& progress) {
  json out{{"member_id", m.member_id},
           {"member_host", m.host},
           {"member_port", m.port},
           {"member_state", std::string(metadata::to_string(m.state))},
           {"member_role", std::string(metadata::to_string(m.role))},
           {"member_version", m.version.known ? m.version.text : std::string()},
           {"member_weight", m.weight},
           {"state_reason", m.state_reason},
           {"name", m.name},
           {"probed", false},
           {"behind_primary", 0},
           {"applier_queue", 0}};
  for (const metadata::MemberProgress& p : progress) {
    if (p.name != m.name && (p.member_id.empty() || p.member_id != m.member_id)) continue;
    out["probed"] = p.probed;
    out["behind_primary"] = p.behind_primary;
    out["applier_queue"] = p.applier_queue;
    break;
  }
  return out;
}

// A comma-separated list of member_ids as a JSON array ("" → []).
json list_json(const std::string& text) {
  return json(metadata::split_ids(text));
}

// The failover in progress, or null: "waiting" with the reason while the safety rule holds it.
json failover_json(const GroupState& state) {
  if (!state.failover) return nullptr;
  const metadata::FailoverRecord& f = *state.failover;
  return json{{"state", f.waiting.empty() ? "running" : "waiting"},
              {"reason", f.waiting},
              {"missing", list_json(f.missing)},
              {"term", f.term},
              {"old_primary", f.old_primary.empty() ? json(nullptr) : json(f.old_primary)},
              {"winner", f.winner.empty() ? json(nullptr) : json(f.winner)},
              {"target", f.target},
              {"forced_members", list_json(f.forced_members)},
              {"may_lose", f.may_lose}};
}

}  // namespace

json group_json(const GroupState& state, const std::vector<metadata::MemberProgress>& progress) {
  json members = json::array();
  for (const Member& m : state.members) members.push_back(member_json(m, progress));
  return json{{"group_name", state.group_name},
              {"view_id", metadata::to_string(state.view_id)},
              {"single_primary_mode", state.single_primary_mode},
              {"primary", state.primary ? json(*state.primary) : json(nullptr)},
              {"term", state.term},
              {"failover", failover_json(state)},
              {"members", std::move(members)}};
}

namespace {

int status_for(SwitchoverFailure::Kind kind) {
  switch (kind) {
    case SwitchoverFailure::Kind::kInvalidRequest:
      return 400;
    case SwitchoverFailure::Kind::kUnavailable:
      return 503;
    case SwitchoverFailure::Kind::kFailed:
      return 500;
  }
  return 500;
}

// The member_id of a {"member_id": "..."} body, or why there is none (one line).
std::expected<std::string, std::string> requested_member_id(const std::string& body) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::unexpected("the body is not JSON");
  if (!doc.is_object()) return std::unexpected("the body is not a JSON object");
  const auto it = doc.find("member_id");
  if (it == doc.end() || !it->is_string()) {
    return std::unexpected("the body has no \"member_id\" string");
  }
  if (it->get_ref<const std::string&>().empty()) return std::unexpected("member_id is empty");
  return it->get<std::string>();
}

http::Response metadata_status(const metadata::MonitorStats& stats) {
  json body{{"refreshFailed", stats.refresh_failed}, {"refreshSucceeded", stats.refresh_succeeded}};
  // As MySQL Router: the last refresh's time and node only once a refresh has succeeded.
  if (stats.last_refresh_succeeded_epoch_micros != 0) {
    body["timeLastRefreshSucceeded"] = format_timestamp(stats.last_refresh_succeeded_epoch_micros);
    body["lastRefreshHostname"] = stats.last_refresh_host;
    body["lastRefreshPort"] = stats.last_refresh_port;
  }
  return json_response(200, body);
}

http::Response metadata_config(const GroupState& state, int64_t refresh_interval_ms) {
  json nodes = json::array();
  for (const Member& m : state.members)
    nodes.push_back(json{{"hostname", m.host}, {"port", m.port}});
  return json_response(200, json{{"clusterName", state.group_name},
                                 {"timeRefreshInMs", refresh_interval_ms},
                                 {"groupReplicationId", state.group_name},
                                 {"nodes", std::move(nodes)}});
}

}  // namespace

http::Response RestApi::group_api(const http::Request& request) const {
  if (request.path == kGroupPath) {
    if (request.method != "GET" && request.method != "HEAD") {
      return method_not_allowed(kGroupPath, "GET, HEAD");
    }
    if (group_ == nullptr) return error_json(404, "no group is configured");
    return json_response(200, group_json(*group_->state(), group_->member_progress()));
  }
  if (request.path == kEventsPath) {
    if (request.method != "GET" && request.method != "HEAD") {
      return method_not_allowed(kEventsPath, "GET, HEAD");
    }
    return error_json(501, "an events stream needs the asynchronous handler");
  }
  if (request.path == kPrimaryPath) {
    if (request.method != "POST") return method_not_allowed(kPrimaryPath, "POST");
    return error_json(501, "a switchover answers later: serve the REST API as an AsyncHandler");
  }
  if (request.path == kForcePath) {
    if (request.method != "POST") return method_not_allowed(kForcePath, "POST");
    return error_json(501, "force_members answers later: serve the REST API as an AsyncHandler");
  }
  // GET /api/v1/group/variables, GET /api/v1/group/members/{id}/variables.
  std::string member;
  const bool group_variables = request.path == kVariablesPath;
  if (request.path.starts_with(kMembersPath) && request.path.ends_with("/variables")) {
    member = request.path.substr(kMembersPath.size(),
                                 request.path.size() - kMembersPath.size() - 10);
  }
  if (group_variables || !member.empty()) {
    if (request.method != "GET" && request.method != "HEAD") {
      return method_not_allowed(request.path, "GET, HEAD");
    }
    if (group_ == nullptr) return error_json(404, "no group is configured");
    if (!member.empty() && metadata::find_member(*group_->state(), member) == nullptr) {
      return error_json(404, "no member '" + member + "' in the group");
    }
    json variables = json::object();
    for (const auto& [name, value] : group_->variables(member)) variables[name] = value;
    return json_response(200, json{{"variables", std::move(variables)}});
  }
  const bool member_action =
      request.path.starts_with(kMembersPath) &&
      (request.path.ends_with("/stop") || request.path.ends_with("/start") ||
       request.path.ends_with("/bootstrap"));
  if (request.path == kOptionsPath || member_action) {
    return error_json(501, "the operator's statements answer later: serve the REST API as an "
                           "AsyncHandler");
  }
  return error_json(404, "no such path: " + request.path);
}

void RestApi::set_primary(const http::Request& request, http::Responder respond) const {
  if (group_ == nullptr) return respond(error_json(404, "no group is configured"));
  auto member_id = requested_member_id(request.body);
  if (!member_id) return respond(error_json(400, member_id.error()));
  // The callback holds no reference to the RestApi: it may outlive it.
  group_->set_as_primary(
      *member_id, [respond, id = *member_id](std::expected<void, SwitchoverFailure> done) {
        if (done) {
          respond(json_response(200, json{{"primary", id}}));
        } else {
          respond(error_json(status_for(done.error().kind), done.error().message));
        }
      });
}

// The member_ids of a {"members": ["...", ...]} body, or why there are none (one line).
std::expected<std::vector<std::string>, std::string> requested_members(const std::string& body) {
  const json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return std::unexpected("the body is not JSON");
  const auto it = doc.is_object() ? doc.find("members") : doc.end();
  if (it == doc.end() || !it->is_array()) {
    return std::unexpected("the body has no \"members\" array");
  }
  std::vector<std::string> members;
  for (const json& m : *it) {
    if (!m.is_string() || m.get_ref<const std::string&>().empty()) {
      return std::unexpected("members must be non-empty member_id strings");
    }
    if (std::find(members.begin(), members.end(), m.get<std::string>()) == members.end())
      members.push_back(m.get<std::string>());
  }
  if (members.empty()) return std::unexpected("members is empty");
  return members;
}

void RestApi::force_members(const http::Request& request, http::Responder respond) const {
  if (group_ == nullptr) return respond(error_json(404, "no group is configured"));
  auto members = requested_members(request.body);
  if (!members) return respond(error_json(400, members.error()));
  group_->force_members(*members, [respond, members = *members](
                                      std::expected<metadata::ForceResult, SwitchoverFailure> r) {
    if (r) {
      respond(json_response(200, json{{"members", members},
                                      {"view_id", r->view_id},
                                      {"may_lose", r->may_lose},
                                      {"waiting", r->waiting}}));
    } else {
      respond(error_json(status_for(r.error().kind), r.error().message));
    }
  });
}

bool RestApi::operator_request(const http::Request& request, http::Responder& respond) const {
  std::string member;
  std::string action;
  if (request.method == "POST" && request.path.starts_with(kMembersPath)) {
    const std::string rest = request.path.substr(kMembersPath.size());
    const size_t slash = rest.find('/');
    if (slash == std::string::npos || slash == 0) return false;
    member = rest.substr(0, slash);
    action = rest.substr(slash + 1);
    if (action != "stop" && action != "start" && action != "bootstrap") return false;
  } else if (request.path != kOptionsPath) {
    return false;
  } else if (request.method != "POST") {
    respond(method_not_allowed(kOptionsPath, "POST"));
    return true;
  }
  if (group_ == nullptr) {
    respond(error_json(404, "no group is configured"));
    return true;
  }
  // The callback holds no reference to the RestApi: it may outlive it.
  metadata::OpDone done = [respond](std::expected<std::string, SwitchoverFailure> r) {
    if (r) {
      respond(json_response(200, json{{"message", *r}}));
    } else {
      respond(error_json(status_for(r.error().kind), r.error().message));
    }
  };
  if (action == "stop") {
    group_->stop_member(member, std::move(done));
  } else if (action == "start") {
    group_->start_member(member, std::move(done));
  } else if (action == "bootstrap") {
    group_->bootstrap_group(member, std::move(done));
  } else {
    // {"option": "member_expel_timeout", "value": "7", "member_id": "..." (member_weight)}.
    const json doc = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    auto text = [&doc](const char* key) -> std::optional<std::string> {
      if (!doc.is_object() || !doc.contains(key)) return std::nullopt;
      const json& v = doc[key];
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number_integer()) return v.dump();
      return std::nullopt;
    };
    const auto option = text("option");
    const auto value = text("value");
    if (!option || !value) {
      respond(error_json(400, "the body must be {\"option\": \"...\", \"value\": \"...\"} "
                              "(and \"member_id\" for member_weight)"));
      return true;
    }
    group_->set_option(*option, *value, text("member_id").value_or(""), std::move(done));
  }
  return true;
}

bool RestApi::has_metadata_cache(const std::string& name) const {
  return group_ != nullptr && !metadata_cache_name_.empty() && name == metadata_cache_name_;
}

http::Response RestApi::metadata_endpoint(const std::string& path) const {
  if (path.empty()) {
    json items = json::array();
    if (has_metadata_cache(metadata_cache_name_))
      items.push_back(json{{"name", metadata_cache_name_}});
    return json_response(200, json{{"items", std::move(items)}});
  }
  const auto slash = path.find('/', 1);  // path is "/NAME/WHAT"
  if (slash == std::string::npos) return problem_response(404, "no such path: /metadata" + path);
  const std::string name = path.substr(1, slash - 1);
  const std::string what = path.substr(slash + 1);
  if (!has_metadata_cache(name)) {
    return problem_response(404, "no metadata cache named '" + name + "'");
  }
  if (what == "status") return metadata_status(group_->monitor_stats());
  if (what == "config") {
    return metadata_config(*group_->state(), group_->monitor_stats().refresh_interval_ms);
  }
  return problem_response(404, "metadata cache '" + name + "' has no endpoint '" + what + "'");
}

std::string render_group_metrics(const GroupState& state) {
  std::string out =
      "# HELP grouter_group_view_seq The view's sequence number: it rises at each membership "
      "change.\n# TYPE grouter_group_view_seq gauge\ngrouter_group_view_seq " +
      std::to_string(state.view_id.seq) + "\n";
  out +=
      "# HELP grouter_group_members Configured storage nodes in each member state.\n"
      "# TYPE grouter_group_members gauge\n";
  for (MemberState s : kMemberStates) {
    const auto count =
        std::ranges::count_if(state.members, [s](const Member& m) { return m.state == s; });
    out += "grouter_group_members{state=\"" + std::string(metadata::to_string(s)) + "\"} " +
           std::to_string(count) + "\n";
  }
  return out;
}

}  // namespace grouter
