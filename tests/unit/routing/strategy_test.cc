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

const Plan kAll{0, 1, 2};

TEST(Strategy, FirstAvailableAlwaysStartsAtTheFirst) {
  DestinationPlanner planner(RoutingStrategy::kFirstAvailable);
  EXPECT_EQ(planner.plan(kAll), (Plan{0, 1, 2}));
  planner.report_failure(0);
  EXPECT_EQ(planner.plan(kAll), (Plan{0, 1, 2}));  // tried again next time
  EXPECT_EQ(planner.plan(Plan{1, 2}), (Plan{1, 2}));  // 0 quarantined
  EXPECT_EQ(planner.plan(Plan{}), Plan{});
}

TEST(Strategy, NextAvailableNeverGoesBackToAFailedDestination) {
  DestinationPlanner planner(RoutingStrategy::kNextAvailable);
  EXPECT_EQ(planner.plan(kAll), (Plan{0, 1, 2}));
  planner.report_failure(0);
  EXPECT_EQ(planner.plan(kAll), (Plan{1, 2}));
  planner.report_failure(0);  // a late report of an older failure changes nothing
  EXPECT_EQ(planner.plan(kAll), (Plan{1, 2}));
  planner.report_failure(2);
  EXPECT_EQ(planner.plan(kAll), Plan{});
}

TEST(Strategy, RoundRobinRotatesTheStart) {
  DestinationPlanner planner(RoutingStrategy::kRoundRobin);
  EXPECT_EQ(planner.plan(kAll), (Plan{0, 1, 2}));
  EXPECT_EQ(planner.plan(kAll), (Plan{1, 2, 0}));
  EXPECT_EQ(planner.plan(kAll), (Plan{2, 0, 1}));
  EXPECT_EQ(planner.plan(kAll), (Plan{0, 1, 2}));
  planner.report_failure(1);  // no memory of failures
  EXPECT_EQ(planner.plan(kAll), (Plan{1, 2, 0}));
}

TEST(Strategy, RoundRobinAlternatesOverWhatIsLeftWhenOneIsQuarantined) {
  DestinationPlanner planner(RoutingStrategy::kRoundRobin);
  const Plan without_1{0, 2};
  EXPECT_EQ(planner.plan(without_1), (Plan{0, 2}));
  EXPECT_EQ(planner.plan(without_1), (Plan{2, 0}));
  EXPECT_EQ(planner.plan(without_1), (Plan{0, 2}));
  EXPECT_EQ(planner.plan(without_1), (Plan{2, 0}));
}

TEST(Strategy, RoundRobinWithFallbackTriesPreferredFirst) {
  DestinationPlanner planner(RoutingStrategy::kRoundRobinWithFallback);
  // Two secondaries (0, 1) preferred, one primary (2) as fallback.
  const Plan secondaries{0, 1};
  const Plan primary{2};
  EXPECT_EQ(planner.plan(secondaries, primary), (Plan{0, 1, 2}));
  EXPECT_EQ(planner.plan(secondaries, primary), (Plan{1, 0, 2}));
  EXPECT_EQ(planner.plan(secondaries, primary), (Plan{0, 1, 2}));
  // No secondaries: only the fallback, round-robin among them.
  DestinationPlanner fresh(RoutingStrategy::kRoundRobinWithFallback);
  const Plan primaries{3, 4};
  EXPECT_EQ(fresh.plan(Plan{}, primaries), (Plan{3, 4}));
  EXPECT_EQ(fresh.plan(Plan{}, primaries), (Plan{4, 3}));
}

}  // namespace
}  // namespace grouter::routing
