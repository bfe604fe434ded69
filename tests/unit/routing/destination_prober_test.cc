// The prober releases quarantined destinations that accept a TCP connect, keeps the others, and
// closes with no live handles.
#include "routing/destination_prober.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace grouter::routing {
namespace {

int listening_socket(std::uint16_t& port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  listen(fd, 4);
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  port = ntohs(address.sin_port);
  return fd;
}

TEST(DestinationProber, ReleasesOnlyReachableDestinations) {
  std::uint16_t open_port = 0;
  std::uint16_t closed_port = 0;
  int open_fd = listening_socket(open_port);
  close(listening_socket(closed_port));

  RouteConfig config;
  config.name = "r";
  config.destinations = {{"127.0.0.1", open_port}, {"127.0.0.1", closed_port}};
  auto route = std::make_shared<Route>(config);
  route->quarantine(0);
  route->quarantine(1);

  uv_loop_t loop;
  uv_loop_init(&loop);
  DestinationProber prober(&loop, Logger(), {route}, std::chrono::milliseconds(10));
  prober.start();
  // Run until the reachable one is released (bounded by a deadline timer).
  uv_timer_t deadline;
  uv_timer_init(&loop, &deadline);
  deadline.data = &prober;
  bool closed = false;
  auto stop = [&] {
    prober.close([&closed] { closed = true; });
    uv_close(reinterpret_cast<uv_handle_t*>(&deadline), nullptr);
  };
  struct Ctx {
    Route* route;
    std::function<void()> stop;
    int ticks = 0;
  } ctx{route.get(), stop};
  deadline.data = &ctx;
  uv_timer_start(
      &deadline,
      [](uv_timer_t* t) {
        auto* c = static_cast<Ctx*>(t->data);
        if (!c->route->is_quarantined(0) || ++c->ticks > 500) {
          uv_timer_stop(t);
          c->stop();
        }
      },
      5, 5);
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_TRUE(closed);
  EXPECT_FALSE(route->is_quarantined(0));
  EXPECT_TRUE(route->is_quarantined(1));
  EXPECT_EQ(uv_loop_close(&loop), 0);
  close(open_fd);
}

}  // namespace
}  // namespace grouter::routing
