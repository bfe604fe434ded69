// REST handler: paths, field names, status codes, 404 problems, and the metrics text.
#include "router/rest_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace grouter {
namespace {

using nlohmann::json;

class RestApiTest : public ::testing::Test {
 protected:
  RestApiTest() {
    routing::RouteConfig config;
    config.name = "primary";
    config.bind_port = 6446;
    config.destinations = {{"127.0.0.1", 3306}, {"::1", 3307}};
    route_ = std::make_shared<routing::Route>(config);
    api_ = std::make_unique<RestApi>(ProcessInfo{42, "grouter (GPL)", "0.1.0", "box", 1},
                                     std::vector<std::shared_ptr<routing::Route>>{route_});
  }

  http::Response call(const std::string& method, const std::string& path) {
    http::Request request;
    request.method = method;
    request.path = path;
    return api_->handle(request);
  }

  std::pair<int, json> get(const std::string& path) {
    http::Response response = call("GET", path);
    return {response.status, json::parse(response.body)};
  }

  std::shared_ptr<routing::Route> route_;
  std::unique_ptr<RestApi> api_;
};

TEST_F(RestApiTest, RouterStatus) {
  auto [status, body] = get("/api/20190715/router/status");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["processId"], 42);
  EXPECT_EQ(body["version"], "0.1.0");
  EXPECT_EQ(body["hostname"], "box");
  EXPECT_EQ(body["productEdition"], "grouter (GPL)");
  EXPECT_EQ(body["timeStarted"], "1970-01-01T00:00:00.000001Z");
}

TEST_F(RestApiTest, RoutesAndRouteEndpoints) {
  EXPECT_EQ(get("/api/20190715/routes").second, json::parse(R"({"items":[{"name":"primary"}]})"));
  EXPECT_EQ(get("/api/20190715/routes/primary/destinations").second,
            json::parse(R"({"items":[{"address":"127.0.0.1","port":3306},{"address":"::1","port":3307}]})"));
  ASSERT_TRUE(route_->try_admit());
  route_->blocked_hosts().record_error("10.1.1.1");
  auto [status, body] = get("/api/20190715/routes/primary/status");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body, json::parse(R"({"activeConnections":1,"totalConnections":1,"blockedHosts":0})"));
  for (int i = 0; i < 99; ++i) route_->blocked_hosts().record_error("10.1.1.1");
  EXPECT_EQ(get("/api/20190715/routes/primary/blockedHosts").second,
            json::parse(R"({"items":["10.1.1.1"]})"));
  EXPECT_EQ(get("/api/20190715/routes/primary/status").second["blockedHosts"], 1);
  EXPECT_EQ(get("/api/20190715/routes/primary/config").second["bindPort"], 6446);
}

TEST_F(RestApiTest, HealthIs500UntilTheRouteListens) {
  EXPECT_EQ(get("/api/20190715/routes/primary/health"), (std::pair<int, json>{500, json{{"isAlive", false}}}));
  route_->set_listening(true);
  EXPECT_EQ(get("/api/20190715/routes/primary/health"), (std::pair<int, json>{200, json{{"isAlive", true}}}));
}

TEST_F(RestApiTest, ConnectionsListFieldNames) {
  auto stats = std::make_shared<routing::ConnectionStats>();
  stats->source_address = "127.0.0.1:5000";
  stats->time_started = 1;
  route_->register_connection(stats);
  auto [status, body] = get("/api/20190715/routes/primary/connections");
  ASSERT_EQ(body["items"].size(), 1u);
  for (const char* field : {"bytesFromServer", "bytesToServer", "sourceAddress", "destinationAddress",
                            "timeStarted", "timeConnectedToServer", "timeLastSentToServer",
                            "timeLastReceivedFromServer"}) {
    EXPECT_TRUE(body["items"][0].contains(field)) << field;
  }
  EXPECT_EQ(body["items"][0]["sourceAddress"], "127.0.0.1:5000");
}

TEST_F(RestApiTest, UnknownNamesAre404WithAJsonProblem) {
  for (const char* path : {"/api/20190715/routes/nope/status", "/api/20190715/routes/primary/nope",
                           "/api/20190715/nope", "/nope"}) {
    auto [status, body] = get(path);
    EXPECT_EQ(status, 404) << path;
    EXPECT_EQ(body["status"], 404) << path;
    EXPECT_TRUE(body.contains("title")) << path;
  }
}

TEST_F(RestApiTest, OtherMethodsAre405WithAJsonProblem) {
  http::Response response = call("POST", "/api/20190715/routes");
  EXPECT_EQ(response.status, 405);
  EXPECT_EQ(response.content_type, "application/problem+json");
  EXPECT_EQ(json::parse(response.body)["title"], "Method Not Allowed");
}

TEST_F(RestApiTest, MetricsInPrometheusText) {
  http::Response response = call("GET", "/metrics");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type.rfind("text/plain", 0), 0u);
  EXPECT_NE(response.body.find("# TYPE grouter_route_active_connections gauge\n"), std::string::npos);
  EXPECT_NE(response.body.find("grouter_route_connections_total{route=\"primary\"} 0\n"), std::string::npos);
  EXPECT_NE(response.body.find("grouter_route_bytes_to_server_total{route=\"primary\"}"), std::string::npos);
  EXPECT_NE(response.body.find("grouter_route_client_connect_errors_total{route=\"primary\"}"), std::string::npos);
}

}  // namespace
}  // namespace grouter
