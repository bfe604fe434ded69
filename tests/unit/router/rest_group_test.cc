// The group's REST endpoints over a fake GroupService: /api/v1/group, the switchover and its
// answers, MySQL Router's /metadata endpoints, and the group's lines in /metrics. Answers are
// caught in a ResponseSlot, as the HTTP connection would hold them.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "metadata/group_service.h"
#include "router/http/responder.h"
#include "router/rest_api.h"

namespace grouter {
namespace {

using metadata::GroupState;
using metadata::Member;
using metadata::MemberRole;
using metadata::MemberState;
using metadata::SwitchoverFailure;
using nlohmann::json;

constexpr const char* kGroupName = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
constexpr const char* kFirst = "11111111-1111-4111-8111-111111111111";
constexpr const char* kSecond = "22222222-2222-4222-8222-222222222222";

class FakeGroup final : public metadata::GroupService {
 public:
  std::shared_ptr<const GroupState> state() const override { return state_; }
  metadata::MonitorStats monitor_stats() const override { return stats_; }
  std::vector<metadata::MemberProgress> member_progress() const override { return progress_; }
  std::vector<metadata::GroupEvent> events_since(uint64_t after_id) const override {
    return events_.since(after_id);
  }
  void set_as_primary(const std::string& member_id, metadata::SwitchoverDone done) override {
    requested_.push_back(member_id);
    pending_.push_back(std::move(done));
  }
  void force_members(const std::vector<std::string>& members, metadata::ForceDone done) override {
    forced_ = members;
    done(metadata::ForceResult{"1:7", "n2: up to 0-1-25"});
  }
  void set_option(const std::string& option, const std::string& value,
                  const std::string& member_id, metadata::OpDone done) override {
    operations_.push_back("set " + option + "=" + value + " " + member_id);
    done(answer_);
  }
  void stop_member(const std::string& member_id, metadata::OpDone done) override {
    operations_.push_back("stop " + member_id);
    done(answer_);
  }
  void start_member(const std::string& member_id, metadata::OpDone done) override {
    operations_.push_back("start " + member_id);
    done(answer_);
  }
  void bootstrap_group(const std::string& member_id, metadata::OpDone done) override {
    operations_.push_back("bootstrap " + member_id);
    done(answer_);
  }
  std::vector<std::pair<std::string, std::string>> variables(
      const std::string& member_id) const override {
    return {{"group_replication_member_weight", member_id.empty() ? "50" : "70"}};
  }

  std::shared_ptr<GroupState> state_ = std::make_shared<GroupState>();
  std::vector<metadata::MemberProgress> progress_;
  metadata::EventHistory events_;
  metadata::MonitorStats stats_;
  std::vector<std::string> requested_;
  std::vector<metadata::SwitchoverDone> pending_;
  std::vector<std::string> forced_;
  std::vector<std::string> operations_;
  std::expected<std::string, SwitchoverFailure> answer_ = std::string("done");
};

// Where an answer lands, as in the HTTP connection.
class CaughtAnswer final : public http::ResponseSlot {
 public:
  void fill(http::Response response) override {
    if (!response_) response_ = std::move(response);
  }
  const std::optional<http::Response>& response() const { return response_; }

 private:
  std::optional<http::Response> response_;
};

Member member(const char* id, const char* name, uint16_t port, MemberState state, MemberRole role) {
  Member m;
  m.member_id = id;
  m.name = name;
  m.host = "127.0.0.1";
  m.port = port;
  m.state = state;
  m.role = role;
  m.in_view = state != MemberState::kOffline && state != MemberState::kError;
  return m;
}

GroupState three_members() {
  GroupState state;
  state.group_name = kGroupName;
  state.view_id = {.fixed = 1700000000000, .seq = 3};
  state.primary = kFirst;
  state.members.push_back(member(kFirst, "n1", 3310, MemberState::kOnline, MemberRole::kPrimary));
  state.members[0].version = *metadata::parse_version("10.11.6-MariaDB-log");
  state.members[0].weight = 60;
  state.members.push_back(
      member(kSecond, "n2", 3311, MemberState::kRecovering, MemberRole::kSecondary));
  state.members[1].version = *metadata::parse_version("10.11.6");
  state.members.push_back(member("", "n3", 3312, MemberState::kError, MemberRole::kNone));
  state.members[2].state_reason = "its GTID set has transactions the group does not";
  return state;
}

class RestGroupTest : public ::testing::Test {
 protected:
  RestGroupTest() { *group_.state_ = three_members(); }

  static http::Request request(std::string method, std::string path, std::string body = "") {
    http::Request r;
    r.method = std::move(method);
    r.path = std::move(path);
    r.body = std::move(body);
    return r;
  }

  // Calls the asynchronous handler; the answer (if any yet) is in the returned slot.
  std::shared_ptr<CaughtAnswer> start(const RestApi& api, const http::Request& r) {
    auto slot = std::make_shared<CaughtAnswer>();
    api.handle(r, http::Responder(slot));
    return slot;
  }

  // The answer of `api` to `r`, which must answer at once.
  std::pair<int, json> answer(const RestApi& api, const http::Request& r) {
    auto slot = start(api, r);
    if (!slot->response()) {
      ADD_FAILURE() << r.method << " " << r.path << " did not answer at once";
      return {0, json()};
    }
    return {slot->response()->status, json::parse(slot->response()->body)};
  }
  std::pair<int, json> get(const std::string& path) { return answer(api_, request("GET", path)); }

  FakeGroup group_;
  RestApi api_{ProcessInfo{}, {}, &group_, "mygroup"};
  RestApi no_group_{ProcessInfo{}, {}};
};

TEST_F(RestGroupTest, GroupListsEveryMemberInOrderWithGrSpelling) {
  auto [status, body] = get("/api/v1/group");
  EXPECT_EQ(status, 200);
  // The lag fields (GroupShowsEachMembersLag) come beside GR's; the rest is unchanged.
  for (json& m : body["members"]) {
    for (const char* added : {"name", "probed", "behind_primary", "applier_queue"}) {
      EXPECT_TRUE(m.contains(added)) << added;
      m.erase(added);
    }
  }
  EXPECT_EQ(body, json::parse(R"({
    "group_name": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
    "view_id": "1700000000000:3",
    "single_primary_mode": true,
    "primary": "11111111-1111-4111-8111-111111111111",
    "term": 0,
    "failover": null,
    "members": [
      {"member_id": "11111111-1111-4111-8111-111111111111", "member_host": "127.0.0.1",
       "member_port": 3310, "member_state": "ONLINE", "member_role": "PRIMARY",
       "member_version": "10.11.6-MariaDB-log", "member_weight": 60, "state_reason": ""},
      {"member_id": "22222222-2222-4222-8222-222222222222", "member_host": "127.0.0.1",
       "member_port": 3311, "member_state": "RECOVERING", "member_role": "SECONDARY",
       "member_version": "10.11.6", "member_weight": 50, "state_reason": ""},
      {"member_id": "", "member_host": "127.0.0.1", "member_port": 3312,
       "member_state": "ERROR", "member_role": "", "member_version": "", "member_weight": 50,
       "state_reason": "its GTID set has transactions the group does not"}
    ]})"));
  EXPECT_EQ(answer(api_, request("HEAD", "/api/v1/group")).first, 200);
  EXPECT_EQ(api_.handle(request("GET", "/api/v1/group")).status, 200);  // the synchronous handler
}

TEST_F(RestGroupTest, GroupShowsEachMembersLag) {
  metadata::MemberProgress first;
  first.name = "n1";
  first.member_id = kFirst;
  first.probed = true;
  metadata::MemberProgress second;
  second.name = "n2";  // matched by name too
  second.probed = true;
  second.behind_primary = 42;
  second.applier_queue = 7;
  group_.progress_ = {first, second};  // n3: no probe yet
  auto [status, body] = get("/api/v1/group");
  ASSERT_EQ(status, 200);
  const json& members = body["members"];
  EXPECT_EQ(members[0]["name"], "n1");
  EXPECT_EQ(members[0]["probed"], true);
  EXPECT_EQ(members[0]["behind_primary"], 0);
  EXPECT_EQ(members[1]["behind_primary"], 42);
  EXPECT_EQ(members[1]["applier_queue"], 7);
  EXPECT_EQ(members[2]["probed"], false);
  EXPECT_EQ(members[2]["behind_primary"], 0);
}

TEST_F(RestGroupTest, StatusPageAndItsFilesAreServed) {
  for (const auto& [path, type, part] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"/", "text/html; charset=utf-8", "id=\"primary\""},
           {"/index.html", "text/html; charset=utf-8", "/status.js"},
           {"/status.js", "text/javascript; charset=utf-8", "/api/v1/group/events"},
           {"/status.css", "text/css; charset=utf-8", ".state-ONLINE"}}) {
    const http::Response page = api_.handle(request("GET", path));
    EXPECT_EQ(page.status, 200) << path;
    EXPECT_EQ(page.content_type, type) << path;
    EXPECT_NE(page.body.find(part), std::string::npos) << path;
  }
  EXPECT_EQ(api_.handle(request("GET", "/nothing.js")).status, 404);
}

TEST_F(RestGroupTest, StatusJsonHasTheGroupTheRoutesAndTheRouter) {
  const json status = api_.status_json();
  EXPECT_EQ(status["group"]["view_id"], "1700000000000:3");
  EXPECT_EQ(status["group"]["members"].size(), 3u);
  EXPECT_TRUE(status["routes"].is_array());
  EXPECT_TRUE(status["router"].contains("version"));
  EXPECT_TRUE(no_group_.status_json()["group"].is_null());
}

TEST_F(RestGroupTest, EventsNeedTheStreamsAndTheAsynchronousHandler) {
  EXPECT_EQ(api_.handle(request("GET", "/api/v1/group/events")).status, 501);
  EXPECT_EQ(get("/api/v1/group/events").first, 404);  // no streams were given
  EXPECT_EQ(get("/api/v1/group/events").second["error"], "no events stream");
  EXPECT_EQ(answer(api_, request("POST", "/api/v1/group/events")).first, 405);
}

TEST_F(RestGroupTest, GroupNotYetBootstrappedIs200WithAnEmptyName) {
  GroupState state;
  state.members.push_back(member("", "n1", 3310, MemberState::kOffline, MemberRole::kNone));
  *group_.state_ = state;
  auto [status, body] = get("/api/v1/group");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["group_name"], "");
  EXPECT_EQ(body["view_id"], "0:0");
  EXPECT_TRUE(body["primary"].is_null());
  ASSERT_EQ(body["members"].size(), 1u);
  EXPECT_EQ(body["members"][0]["member_state"], "OFFLINE");

  *group_.state_ = GroupState{};
  EXPECT_EQ(get("/api/v1/group").second["members"], json::array());
}

TEST_F(RestGroupTest, WithoutAGroupTheGroupEndpointsAre404) {
  for (const auto& r : {request("GET", "/api/v1/group"),
                        request("POST", "/api/v1/group/primary", R"({"member_id":"x"})")}) {
    auto [status, body] = answer(no_group_, r);
    EXPECT_EQ(status, 404) << r.method << " " << r.path;
    EXPECT_TRUE(body["error"].is_string()) << r.path;
  }
}

TEST_F(RestGroupTest, WrongMethodsAre405AndUnknownV1PathsAre404) {
  const struct {
    const char* method;
    const char* path;
    const char* allow;
  } cases[] = {{"POST", "/api/v1/group", "GET, HEAD"},
               {"GET", "/api/v1/group/primary", "POST"},
               {"HEAD", "/api/v1/group/primary", "POST"}};
  for (const auto& c : cases) {
    auto slot = start(api_, request(c.method, c.path));
    ASSERT_TRUE(slot->response()) << c.method << " " << c.path;
    EXPECT_EQ(slot->response()->status, 405) << c.method << " " << c.path;
    ASSERT_EQ(slot->response()->headers.size(), 1u);
    EXPECT_EQ(slot->response()->headers[0], (http::Header{"Allow", c.allow}));
    EXPECT_TRUE(json::parse(slot->response()->body)["error"].is_string());
  }
  EXPECT_TRUE(group_.requested_.empty());
  auto [status, body] = get("/api/v1/nope");
  EXPECT_EQ(status, 404);
  EXPECT_EQ(body["error"], "no such path: /api/v1/nope");
}

TEST_F(RestGroupTest, SwitchoverAnswers200WhenTheGroupHasDecided) {
  auto slot = start(api_, request("POST", "/api/v1/group/primary",
                                  R"({"member_id": ")" + std::string(kSecond) + "\"}"));
  EXPECT_FALSE(slot->response());  // not before the group decides
  ASSERT_EQ(group_.requested_, std::vector<std::string>{kSecond});
  group_.pending_[0]({});
  ASSERT_TRUE(slot->response());
  EXPECT_EQ(slot->response()->status, 200);
  EXPECT_EQ(slot->response()->content_type, "application/json");
  EXPECT_EQ(json::parse(slot->response()->body), json({{"primary", kSecond}}));
}

TEST_F(RestGroupTest, SwitchoverFailuresMapToStatusCodes) {
  const struct {
    SwitchoverFailure::Kind kind;
    int status;
  } cases[] = {{SwitchoverFailure::Kind::kInvalidRequest, 400},
               {SwitchoverFailure::Kind::kUnavailable, 503},
               {SwitchoverFailure::Kind::kFailed, 500}};
  for (const auto& c : cases) {
    auto slot = start(api_, request("POST", "/api/v1/group/primary", R"({"member_id":"m"})"));
    ASSERT_FALSE(group_.pending_.empty());
    auto done = std::move(group_.pending_.back());
    group_.pending_.pop_back();
    done(std::unexpected(SwitchoverFailure{c.kind, "why, in one line"}));
    ASSERT_TRUE(slot->response());
    EXPECT_EQ(slot->response()->status, c.status);
    EXPECT_EQ(json::parse(slot->response()->body), json({{"error", "why, in one line"}}));
  }
}

TEST_F(RestGroupTest, AWaitingFailoverSaysWhy) {
  metadata::FailoverRecord f;
  f.term = 4;
  f.old_primary = kFirst;
  f.waiting = "waiting for n2: may hold acknowledged transactions the others lack";
  f.missing = kSecond;
  group_.state_->primary.reset();
  group_.state_->term = 4;
  group_.state_->failover = f;
  auto [status, body] = get("/api/v1/group");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["primary"], nullptr);
  EXPECT_EQ(body["term"], 4);
  EXPECT_EQ(body["failover"], json::parse(R"({"state": "waiting",
    "reason": "waiting for n2: may hold acknowledged transactions the others lack",
    "missing": ["22222222-2222-4222-8222-222222222222"], "term": 4,
    "old_primary": "11111111-1111-4111-8111-111111111111", "winner": null, "target": "",
    "forced_members": [], "may_lose": ""})"));
}

TEST_F(RestGroupTest, ForceMembersReturnsTheViewAndWhatMayBeLost) {
  auto [status, body] =
      answer(api_, request("POST", "/api/v1/group/force_members",
                           R"({"members": [")" + std::string(kSecond) + R"("]})"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(group_.forced_, std::vector<std::string>{kSecond});
  EXPECT_EQ(body, json::parse(R"({"members": ["22222222-2222-4222-8222-222222222222"],
                                  "view_id": "1:7", "may_lose": "n2: up to 0-1-25",
                                  "waiting": ""})"));
  for (const char* bad :
       {"", "{}", R"({"members": []})", R"({"members": [5]})", R"({"members": "x"})"}) {
    auto [bad_status, bad_body] = answer(api_, request("POST", "/api/v1/group/force_members", bad));
    EXPECT_EQ(bad_status, 400) << bad;
    EXPECT_TRUE(bad_body["error"].is_string()) << bad;
  }
  EXPECT_EQ(answer(api_, request("GET", "/api/v1/group/force_members")).first, 405);
}

TEST_F(RestGroupTest, MalformedSwitchoverRequestsAre400WithAOneLineReason) {
  for (const char* body : {"", "{", "[\"m\"]", "{}", R"({"member_id": 5})", R"({"member_id": ""})",
                           R"({"memberId": "m"})"}) {
    auto [status, answer_body] = answer(api_, request("POST", "/api/v1/group/primary", body));
    EXPECT_EQ(status, 400) << body;
    ASSERT_TRUE(answer_body["error"].is_string()) << body;
    const auto reason = answer_body["error"].get<std::string>();
    EXPECT_FALSE(reason.empty()) << body;
    EXPECT_EQ(reason.find('\n'), std::string::npos) << body;
  }
  EXPECT_TRUE(group_.requested_.empty());
}

TEST_F(RestGroupTest, TheSynchronousHandlerStartsNoSwitchover) {
  http::Response response =
      api_.handle(request("POST", "/api/v1/group/primary", R"({"member_id":"m"})"));
  EXPECT_EQ(response.status, 501);
  EXPECT_TRUE(group_.requested_.empty());
}

TEST_F(RestGroupTest, SwitchoverAnswerMayComeAfterTheApiAndTheClientAreGone) {
  auto api = std::make_unique<RestApi>(
      ProcessInfo{}, std::vector<std::shared_ptr<routing::Route>>{}, &group_, "mygroup");
  auto kept = start(*api, request("POST", "/api/v1/group/primary", R"({"member_id":"m"})"));
  auto gone = start(*api, request("POST", "/api/v1/group/primary", R"({"member_id":"m"})"));
  api.reset();
  gone.reset();  // the client's connection closed
  ASSERT_EQ(group_.pending_.size(), 2u);
  group_.pending_[0]({});
  group_.pending_[1]({});
  ASSERT_TRUE(kept->response());
  EXPECT_EQ(kept->response()->status, 200);
}

TEST_F(RestGroupTest, MetadataListsTheGroupByItsCacheName) {
  EXPECT_EQ(get("/api/20190715/metadata"),
            (std::pair<int, json>{200, json::parse(R"({"items":[{"name":"mygroup"}]})")}));
  EXPECT_EQ(answer(no_group_, request("GET", "/api/20190715/metadata")),
            (std::pair<int, json>{200, json::parse(R"({"items":[]})")}));
}

TEST_F(RestGroupTest, MetadataStatusCarriesTheMonitorCounters) {
  group_.stats_ = {.refresh_succeeded = 698,
                   .refresh_failed = 2,
                   .last_refresh_succeeded_epoch_micros = 1,
                   .last_refresh_host = "127.0.0.1",
                   .last_refresh_port = 3311,
                   .refresh_interval_ms = 500};
  EXPECT_EQ(get("/api/20190715/metadata/mygroup/status"),
            (std::pair<int, json>{200, json::parse(R"({
              "refreshFailed": 2, "refreshSucceeded": 698,
              "timeLastRefreshSucceeded": "1970-01-01T00:00:00.000001Z",
              "lastRefreshHostname": "127.0.0.1", "lastRefreshPort": 3311})")}));
  // As MySQL Router: no time, host or port before the first successful refresh.
  group_.stats_ = {.refresh_failed = 3};
  EXPECT_EQ(get("/api/20190715/metadata/mygroup/status").second,
            json::parse(R"({"refreshFailed": 3, "refreshSucceeded": 0})"));
}

TEST_F(RestGroupTest, MetadataConfigNamesTheGroupAndItsNodes) {
  group_.stats_.refresh_interval_ms = 500;
  EXPECT_EQ(get("/api/20190715/metadata/mygroup/config"),
            (std::pair<int, json>{200, json::parse(R"({
              "clusterName": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", "timeRefreshInMs": 500,
              "groupReplicationId": "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
              "nodes": [{"hostname": "127.0.0.1", "port": 3310},
                        {"hostname": "127.0.0.1", "port": 3311},
                        {"hostname": "127.0.0.1", "port": 3312}]})")}));
}

TEST_F(RestGroupTest, UnknownMetadataNamesAndEndpointsAre404Problems) {
  const std::pair<const RestApi*, const char*> cases[] = {
      {&api_, "/api/20190715/metadata/other/status"},
      {&api_, "/api/20190715/metadata/mygroup/nope"},
      {&api_, "/api/20190715/metadata/mygroup"},
      {&api_, "/api/20190715/metadata/"},
      {&api_, "/api/20190715/metadataX"},
      {&no_group_, "/api/20190715/metadata/mygroup/status"},
      {&no_group_, "/api/20190715/metadata/mygroup/config"}};
  for (const auto& [api, path] : cases) {
    auto [status, body] = answer(*api, request("GET", path));
    EXPECT_EQ(status, 404) << path;
    EXPECT_EQ(body["status"], 404) << path;
    EXPECT_EQ(body["title"], "Not Found") << path;
  }
}

TEST_F(RestGroupTest, MetricsCountMembersByStateAndShowTheViewSequence) {
  const std::string text = api_.handle(request("GET", "/metrics")).body;
  for (const char* line :
       {"# TYPE grouter_group_view_seq gauge\n", "grouter_group_view_seq 3\n",
        "# TYPE grouter_group_members gauge\n", "grouter_group_members{state=\"ONLINE\"} 1\n",
        "grouter_group_members{state=\"RECOVERING\"} 1\n",
        "grouter_group_members{state=\"OFFLINE\"} 0\n",
        "grouter_group_members{state=\"ERROR\"} 1\n",
        "grouter_group_members{state=\"UNREACHABLE\"} 0\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  EXPECT_EQ(no_group_.handle(request("GET", "/metrics")).body.find("grouter_group_"),
            std::string::npos);
}

}  // namespace
}  // namespace grouter

namespace grouter {
namespace {

TEST_F(RestGroupTest, MemberOperationsReachTheGroupAndAnswerItsMessage) {
  for (const char* action : {"stop", "start", "bootstrap"}) {
    auto [status, body] = answer(
        api_, request("POST", std::string("/api/v1/group/members/n2/") + action));
    EXPECT_EQ(status, 200) << action;
    EXPECT_EQ(body, json::parse(R"({"message": "done"})")) << action;
  }
  EXPECT_EQ(group_.operations_,
            (std::vector<std::string>{"stop n2", "start n2", "bootstrap n2"}));
  group_.answer_ = std::unexpected(
      SwitchoverFailure{SwitchoverFailure::Kind::kUnavailable, "a failover is in progress"});
  auto [status, body] = answer(api_, request("POST", "/api/v1/group/members/n2/stop"));
  EXPECT_EQ(status, 503);
  EXPECT_EQ(body, json::parse(R"({"error": "a failover is in progress"})"));
  // Unknown actions are not operations.
  EXPECT_EQ(answer(api_, request("POST", "/api/v1/group/members/n2/explode")).first, 404);
}

TEST_F(RestGroupTest, OptionsArePutAsOptionAndValue) {
  auto [status, body] = answer(
      api_, request("POST", "/api/v1/group/options",
                    R"({"option": "member_expel_timeout", "value": 7})"));
  EXPECT_EQ(status, 200);
  auto weight = answer(api_, request("POST", "/api/v1/group/options",
                                     R"({"option":"member_weight","value":"80","member_id":"n3"})"));
  EXPECT_EQ(weight.first, 200);
  EXPECT_EQ(group_.operations_, (std::vector<std::string>{"set member_expel_timeout=7 ",
                                                          "set member_weight=80 n3"}));
  group_.answer_ = std::unexpected(
      SwitchoverFailure{SwitchoverFailure::Kind::kInvalidRequest, "the range is 0 to 3600"});
  EXPECT_EQ(answer(api_, request("POST", "/api/v1/group/options",
                                 R"({"option":"member_expel_timeout","value":"9999"})"))
                .first,
            400);
  auto missing = answer(api_, request("POST", "/api/v1/group/options", R"({"option":"x"})"));
  EXPECT_EQ(missing.first, 400);
  EXPECT_NE(missing.second["error"].get<std::string>().find("\"value\""), std::string::npos);
  EXPECT_EQ(answer(api_, request("POST", "/api/v1/group/options", "nope")).first, 400);
  EXPECT_EQ(answer(api_, request("GET", "/api/v1/group/options", "{}")).first, 405);
  EXPECT_EQ(group_.operations_.size(), 3u);  // the malformed ones reached nothing
  EXPECT_EQ(answer(no_group_, request("POST", "/api/v1/group/options", "{}")).first, 404);
}

TEST_F(RestGroupTest, VariablesOfTheGroupAndOfAMember) {
  auto [status, body] = get("/api/v1/group/variables");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, json::parse(R"({"variables": {"group_replication_member_weight": "50"}})"));
  auto member = get(std::string("/api/v1/group/members/") + kSecond + "/variables");
  EXPECT_EQ(member.first, 200);
  EXPECT_EQ(member.second["variables"]["group_replication_member_weight"], "70");
  EXPECT_EQ(get("/api/v1/group/members/nobody/variables").first, 404);
  EXPECT_EQ(answer(api_, request("DELETE", "/api/v1/group/variables")).first, 405);
}

}  // namespace
}  // namespace grouter
