// Route-wide state: admission limits and quarantine.
#include "routing/route.h"

#include <gtest/gtest.h>

namespace grouter::routing {
namespace {

RouteConfig three_destinations() {
  RouteConfig config;
  config.name = "r";
  config.destinations = {{"127.0.0.1", 1}, {"127.0.0.1", 2}, {"127.0.0.1", 3}};
  return config;
}

TEST(Route, AdmitsUpToMaxConnections) {
  RouteConfig config = three_destinations();
  config.max_connections = 2;
  Route route(config);
  EXPECT_TRUE(route.try_admit());
  EXPECT_TRUE(route.try_admit());
  EXPECT_FALSE(route.try_admit());
  route.release();
  EXPECT_TRUE(route.try_admit());
  EXPECT_EQ(route.counters().total_connections.load(), 3u);
  EXPECT_EQ(route.counters().active_connections.load(), 2u);
}

TEST(Route, QuarantinedDestinationsAreLeftOutUntilAllAre) {
  Route route(three_destinations());
  route.set_listening(true);
  EXPECT_TRUE(route.is_alive());
  route.quarantine(1);
  route.quarantine(1);  // twice is once
  EXPECT_EQ(route.usable_destinations(), (std::vector<std::size_t>{0, 2}));
  route.quarantine(0);
  route.quarantine(2);
  EXPECT_FALSE(route.is_alive());
  EXPECT_EQ(route.usable_destinations(), (std::vector<std::size_t>{0, 1, 2}));  // a last try
  route.release_from_quarantine(2);
  EXPECT_TRUE(route.is_alive());
  EXPECT_EQ(route.usable_destinations(), (std::vector<std::size_t>{2}));
  route.set_listening(false);
  EXPECT_FALSE(route.is_alive());
}

}  // namespace
}  // namespace grouter::routing
