// A worker loop with real sockets: relaying, grouter's own errors, and a clean close. The backend
// here is a scripted socket, not MariaDB: it stands for faults and counts the integration tests
// (tests/integration) cover with real servers.
#include "routing/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "routing/listen_socket.h"
#include "tests/unit/routing/test_sockets.h"

namespace grouter::routing {
namespace {

using testing::closed_port;
using testing::connect_client;
using testing::local_port;
using testing::read_refusal;

std::string read_some(int fd) {
  char buffer[4096];
  ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
  return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
}


// A backend that sends a greeting-like packet, then echoes until the peer closes.
class EchoBackend {
 public:
  EchoBackend() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(listen_fd_, 16);
    port_ = local_port(listen_fd_);
    thread_ = std::thread([this] {
      int fd = accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      const char greeting[] = {1, 0, 0, 0, 0x0a};
      send(fd, greeting, sizeof(greeting), 0);
      char buffer[4096];
      ssize_t n;
      while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) send(fd, buffer, static_cast<std::size_t>(n), 0);
      saw_close_ = (n == 0);
      close(fd);
    });
  }
  ~EchoBackend() {
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    if (thread_.joinable()) thread_.join();
  }
  std::uint16_t port() const { return port_; }
  void join() { thread_.join(); }
  bool saw_close() const { return saw_close_; }

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::thread thread_;
  bool saw_close_ = false;
};

struct RunningWorker {
  std::shared_ptr<Route> route;
  std::unique_ptr<Worker> worker;
  std::uint16_t port = 0;

  explicit RunningWorker(RouteConfig config) {
    config.name = "test";
    auto fds = open_listen_sockets("127.0.0.1", 0, 1);
    EXPECT_TRUE(fds.has_value());
    port = local_port((*fds)[0]);
    config.bind_port = port;
    route = std::make_shared<Route>(config);
    worker = std::make_unique<Worker>(Logger(), std::vector<RouteListener>{{route, (*fds)[0]}});
    EXPECT_TRUE(worker->start().has_value());
  }
  void stop_and_expect_clean() {
    worker->stop();
    EXPECT_TRUE(worker->closed_cleanly());
  }
};

TEST(Worker, NoReachableDestinationGives1429AfterAGreeting) {
  RouteConfig config;
  config.destinations = {{"127.0.0.1", closed_port()}, {"127.0.0.1", closed_port()}};
  RunningWorker running(config);
  int client = connect_client(running.port);
  const testing::Refusal refusal = read_refusal(client);
  EXPECT_EQ(refusal.code, 1429);
  EXPECT_EQ(refusal.sql_state, "HY000");
  EXPECT_EQ(refusal.message,
            "Can't connect to remote MySQL server for client connected to '127.0.0.1:" +
                std::to_string(running.port) + "'");
  shutdown(client, SHUT_WR);         // the client closes after the ERR,
  EXPECT_EQ(read_some(client), "");  // and so does grouter
  close(client);
  EXPECT_EQ(running.route->counters().destination_connect_errors.load(), 2u);
  EXPECT_EQ(running.route->counters().no_destination_errors.load(), 1u);
  running.stop_and_expect_clean();
}

TEST(Worker, RelaysBothWaysAndClosesTheServerWhenTheClientLeaves) {
  EchoBackend backend;
  RouteConfig config;
  config.destinations = {{"127.0.0.1", backend.port()}};
  RunningWorker running(config);
  int client = connect_client(running.port);
  EXPECT_EQ(read_some(client), std::string("\1\0\0\0\x0a", 5));
  const std::string data = "hello through grouter";
  send(client, data.data(), data.size(), 0);
  EXPECT_EQ(read_some(client), data);
  EXPECT_EQ(running.route->counters().active_connections.load(), 1u);
  close(client);
  backend.join();  // returns once the backend saw end-of-stream
  EXPECT_TRUE(backend.saw_close());
  running.stop_and_expect_clean();
  EXPECT_EQ(running.route->counters().bytes_to_server.load(), data.size());
  EXPECT_EQ(running.route->counters().bytes_from_server.load(), data.size() + 5);
  EXPECT_EQ(running.route->counters().active_connections.load(), 0u);
}

TEST(Worker, OverMaxConnectionsGives1040AndStopClosesOpenConnections) {
  EchoBackend backend;
  RouteConfig config;
  config.destinations = {{"127.0.0.1", backend.port()}};
  config.max_connections = 1;
  RunningWorker running(config);
  int first = connect_client(running.port);
  EXPECT_EQ(read_some(first).size(), 5u);  // relayed greeting: the first is admitted
  int second = connect_client(running.port);
  const testing::Refusal refusal = read_refusal(second);
  EXPECT_EQ(refusal.code, 1040);
  EXPECT_EQ(refusal.sql_state, "08004");
  close(second);
  running.stop_and_expect_clean();  // with `first` still open
  EXPECT_EQ(read_some(first), "");
  close(first);
}

}  // namespace
}  // namespace grouter::routing
