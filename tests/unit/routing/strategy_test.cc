// Destination planning per routing strategy.
#include "routing/strategy.h"

#include <gtest/gtest.h>

namespace grouter::routing {
namespace {

using Plan = std::vector<std::size_t>;

TEST(Strategy, ParsesMysqlRouterNames) {
  for (auto s : {RoutingStrategy::kFirstAvailable, RoutingStrategy::kNextAvailable,
                 RoutingStrategy::kRoundRobin, RoutingStrategy::kRoundRobinWithFallback}) {
    EXPECT_EQ(parse_routing_strategy(to_string(s)), s);
  }
  EXPECT_FALSE(parse_routing_strategy("random").has_value());
  EXPECT_FALSE(parse_routing_strategy("First-Available").has_value());
}

TEST(Strategy, FirstAvailableAlwaysStartsAtTheFirst) {
  DestinationPlanner planner(RoutingStrategy::kFirstAvailable);
  EXPECT_EQ(planner.plan(3), (Plan{0, 1, 2}));
  planner.report_failure(0);
  EXPECT_EQ(planner.plan(3), (Plan{0, 1, 2}));  // tried again next time
  EXPECT_EQ(planner.plan(0), Plan{});
}

TEST(Strategy, NextAvailableNeverGoesBackToAFailedDestination) {
  DestinationPlanner planner(RoutingStrategy::kNextAvailable);
  EXPECT_EQ(planner.plan(3), (Plan{0, 1, 2}));
  planner.report_failure(0);
  EXPECT_EQ(planner.plan(3), (Plan{1, 2}));
  planner.report_failure(0);  // a late report of an older failure changes nothing
  EXPECT_EQ(planner.plan(3), (Plan{1, 2}));
  planner.report_failure(2);
  EXPECT_EQ(planner.plan(3), Plan{});
}

TEST(Strategy, RoundRobinRotatesTheStart) {
  DestinationPlanner planner(RoutingStrategy::kRoundRobin);
  EXPECT_EQ(planner.plan(3), (Plan{0, 1, 2}));
  EXPECT_EQ(planner.plan(3), (Plan{1, 2, 0}));
  EXPECT_EQ(planner.plan(3), (Plan{2, 0, 1}));
  EXPECT_EQ(planner.plan(3), (Plan{0, 1, 2}));
  planner.report_failure(1);  // no memory of failures
  EXPECT_EQ(planner.plan(3), (Plan{1, 2, 0}));
}

TEST(Strategy, RoundRobinWithFallbackTriesPreferredFirst) {
  DestinationPlanner planner(RoutingStrategy::kRoundRobinWithFallback);
  // Two secondaries (0, 1) preferred, one primary (2) as fallback.
  EXPECT_EQ(planner.plan(2, 1), (Plan{0, 1, 2}));
  EXPECT_EQ(planner.plan(2, 1), (Plan{1, 0, 2}));
  EXPECT_EQ(planner.plan(2, 1), (Plan{0, 1, 2}));
  // No secondaries: only the fallback, round-robin among them.
  DestinationPlanner fresh(RoutingStrategy::kRoundRobinWithFallback);
  EXPECT_EQ(fresh.plan(0, 2), (Plan{0, 1}));
  EXPECT_EQ(fresh.plan(0, 2), (Plan{1, 0}));
}

}  // namespace
}  // namespace grouter::routing
