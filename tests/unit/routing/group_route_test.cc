// Group-following routes on a real worker loop: connections go where the newest publication says,
// sessions to a member that may no longer serve the route are closed, and a client waits (bounded)
// while the route has nobody to connect to. Backends are scripted sockets that greet with their
// own id byte; the integration tests cover real MariaDB.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "routing/listen_socket.h"
#include "routing/worker.h"
#include "tests/unit/routing/test_sockets.h"

namespace grouter::routing {
namespace {

using testing::connect_client;
using testing::local_port;

using namespace std::chrono_literals;

// Accepts any number of connections; each gets a 5-byte "greeting" ending in the backend's id,
// then the backend holds it open until the peer closes.
class Backend {
 public:
  explicit Backend(char id) : id_(id) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(fd_, 64);
    port_ = local_port(fd_);
    thread_ = std::thread([this] { run(); });
  }
  ~Backend() {
    stop_ = true;
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
    for (int c : clients_) close(c);
  }
  Destination destination() const { return {"127.0.0.1", port_}; }

 private:
  void run() {
    while (!stop_) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      const char greeting[] = {1, 0, 0, 0, id_};
      send(c, greeting, sizeof(greeting), MSG_NOSIGNAL);
      clients_.push_back(c);
    }
  }
  const char id_;
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<int> clients_;
};

// The id byte of the backend this client reached; 'E' for grouter's refusal (its code in *code);
// 0 when the connection was closed without a packet.
char reached(int fd, int* code = nullptr) {
  const std::string packet = testing::read_packet(fd);
  if (packet.size() < 5) return 0;
  if (static_cast<unsigned char>(packet[4]) == 10) {  // grouter's own greeting: a refusal
    const testing::Refusal refusal = testing::answer_refusal_greeting(fd, packet);
    if (code != nullptr) *code = refusal.code;
    return refusal.code != 0 ? 'E' : 0;
  }
  return packet[4];
}

bool closed_within(int fd, std::chrono::milliseconds limit) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, static_cast<int>(limit.count())) <= 0) return false;
  char byte;
  return recv(fd, &byte, 1, MSG_DONTWAIT) == 0;
}

std::shared_ptr<const DestinationSet> set(std::uint64_t generation,
                                          std::vector<Destination> primaries,
                                          std::vector<Destination> secondaries) {
  auto s = std::make_shared<DestinationSet>();
  s->generation = generation;
  s->primaries = std::move(primaries);
  s->secondaries = std::move(secondaries);
  return s;
}

struct GroupRoute {
  std::shared_ptr<Route> route;
  std::unique_ptr<Worker> worker;
  std::uint16_t port = 0;

  GroupRoute(ServerRole role, RoutingStrategy strategy, std::chrono::milliseconds wait = 5s) {
    RouteConfig config;
    config.name = "group";
    config.group = GroupTarget{"g", role};
    config.strategy = strategy;
    config.destination_wait_timeout = wait;
    auto fds = open_listen_sockets("127.0.0.1", 0, 1);
    EXPECT_TRUE(fds.has_value());
    port = local_port((*fds)[0]);
    config.bind_port = port;
    route = std::make_shared<Route>(config);
    route->set_listening(true);
    worker = std::make_unique<Worker>(Logger(), std::vector<RouteListener>{{route, (*fds)[0]}});
    EXPECT_TRUE(worker->start().has_value());
  }
  ~GroupRoute() {
    worker->stop();
    EXPECT_TRUE(worker->closed_cleanly());
  }
};

TEST(GroupRoute, PrimaryRouteFollowsThePrimaryAndClosesTheDemotedOnesSessions) {
  Backend a('A'), b('B');
  GroupRoute g(ServerRole::kPrimary, RoutingStrategy::kFirstAvailable);
  g.route->publish(set(1, {a.destination()}, {b.destination()}));
  int first = connect_client(g.port);
  EXPECT_EQ(reached(first), 'A');
  // Failover: B is primary now, A a secondary. A's session on the primary route is closed.
  g.route->publish(set(2, {b.destination()}, {a.destination()}));
  EXPECT_TRUE(closed_within(first, 5s));
  close(first);
  int second = connect_client(g.port);
  EXPECT_EQ(reached(second), 'B');
  close(second);
  EXPECT_TRUE(g.route->is_alive());
}

TEST(GroupRoute, WithoutAPrimaryNewClientsWaitForOne) {
  Backend a('A');
  GroupRoute g(ServerRole::kPrimary, RoutingStrategy::kFirstAvailable, 10s);
  g.route->publish(set(1, {}, {a.destination()}));
  EXPECT_FALSE(g.route->is_alive());
  int client = connect_client(g.port);
  pollfd p{client, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 200), 0) << "the client must be held, not refused";
  g.route->publish(set(2, {a.destination()}, {}));
  EXPECT_EQ(reached(client), 'A');
  close(client);
}

TEST(GroupRoute, AWaitEndsIn1429AfterTheTimeout) {
  GroupRoute g(ServerRole::kPrimary, RoutingStrategy::kFirstAvailable, 300ms);
  const auto started = std::chrono::steady_clock::now();
  int client = connect_client(g.port);
  int code = 0;
  EXPECT_EQ(reached(client, &code), 'E');
  EXPECT_EQ(code, 1429);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
  close(client);
  EXPECT_EQ(g.route->counters().no_destination_errors.load(), 1u);
}

TEST(GroupRoute, AGroupWaitingForSafetyRefusesAtOnceWithTheReason) {
  Backend a('A');
  GroupRoute g(ServerRole::kPrimary, RoutingStrategy::kFirstAvailable, 60s);
  auto waiting = set(1, {}, {a.destination()});
  std::const_pointer_cast<DestinationSet>(waiting)->no_primary_reason =
      "the group has no primary: waiting for n2";
  g.route->publish(waiting);
  int client = connect_client(g.port);
  // Long before destination_wait_timeout (60 s): the answer is already there or comes at once.
  pollfd p{client, POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 30000), 1);
  const testing::Refusal refusal = testing::read_refusal(client);
  EXPECT_EQ(refusal.code, 1429);
  EXPECT_NE(refusal.message.find("the group has no primary: waiting for n2"), std::string::npos)
      << refusal.message;
  close(client);
}

TEST(GroupRoute, SecondaryRouteRoundRobinsAndFallsBackToThePrimary) {
  Backend p('P'), s1('1'), s2('2');
  GroupRoute g(ServerRole::kSecondary, RoutingStrategy::kRoundRobinWithFallback);
  g.route->publish(set(1, {p.destination()}, {s1.destination(), s2.destination()}));
  std::string seen;
  for (int i = 0; i < 4; ++i) {
    int c = connect_client(g.port);
    seen += reached(c);
    close(c);
  }
  EXPECT_EQ(seen, "1212");
  // No secondary ONLINE: the primary serves the read-only route.
  g.route->publish(set(2, {p.destination()}, {}));
  int fallback = connect_client(g.port);
  EXPECT_EQ(reached(fallback), 'P');
  // A secondary back: the session on the (still ONLINE) primary stays; new ones go to it.
  g.route->publish(set(3, {p.destination()}, {s1.destination()}));
  int next = connect_client(g.port);
  EXPECT_EQ(reached(next), '1');
  EXPECT_FALSE(closed_within(fallback, 200ms));
  // The primary leaves the group: its sessions are closed.
  g.route->publish(set(4, {}, {s1.destination()}));
  EXPECT_TRUE(closed_within(fallback, 5s));
  close(fallback);
  close(next);
}

TEST(GroupRoute, SecondaryRouteWithoutFallbackDoesNotUseThePrimary) {
  Backend p('P');
  GroupRoute g(ServerRole::kSecondary, RoutingStrategy::kRoundRobin, 300ms);
  g.route->publish(set(1, {p.destination()}, {}));
  int client = connect_client(g.port);
  int code = 0;
  EXPECT_EQ(reached(client, &code), 'E');
  EXPECT_EQ(code, 1429);
  close(client);
}

TEST(GroupTarget, ParsesMetadataCacheUrls) {
  std::string error;
  auto target = parse_group_target("metadata-cache://mygroup/?role=SECONDARY", error);
  ASSERT_TRUE(target.has_value()) << error;
  EXPECT_EQ(target->group, "mygroup");
  EXPECT_EQ(target->role, ServerRole::kSecondary);
  for (const char* bad : {"metadata-cache:///?role=PRIMARY", "metadata-cache://g/?role=LEADER",
                          "metadata-cache://g/", "mysql://g/?role=PRIMARY"}) {
    EXPECT_FALSE(parse_group_target(bad, error).has_value()) << bad;
    EXPECT_FALSE(error.empty());
  }
}

}  // namespace
}  // namespace grouter::routing
