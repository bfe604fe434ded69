// The invariant checker catches what it is for (invariants.h): two writable members reachable
// past the grace period, and an ONLINE member whose history diverged from the primary's.
#include "tests/sim/invariants.h"

#include <gtest/gtest.h>

namespace grouter::sim {
namespace {

class InvariantsTest : public ::testing::Test {
 protected:
  InvariantsTest() {
    cluster_.node(0).read_only = false;
    cluster_.node(0).semi_sync_master = true;
    driver_.bootstrap({80, 50, 30});
    driver_.start();  // the scheduler never runs: no probe round, nothing gets fenced
  }

  Scheduler scheduler_;
  Cluster cluster_{scheduler_, 3};
  NodeOps ops_{scheduler_, cluster_};
  Trace trace_{false};
  Driver driver_{scheduler_, cluster_, ops_, DriverOptions{}, trace_};
  Writer writer_{scheduler_, cluster_, [] { return std::optional<size_t>(); }, [] { return 0; },
                 10};
  InvariantChecker checker_{cluster_, driver_, writer_};
};

TEST_F(InvariantsTest, QuietGroupPasses) {
  EXPECT_EQ(checker_.check(0), std::nullopt);
  EXPECT_EQ(checker_.check(5000), std::nullopt);
}

TEST_F(InvariantsTest, TwoWritableReachableMembersBreakPastTheGrace) {
  cluster_.node(1).read_only = false;
  EXPECT_EQ(checker_.check(0), std::nullopt);
  EXPECT_EQ(checker_.check(kFenceGraceMs), std::nullopt);
  const auto breach = checker_.check(kFenceGraceMs + 1);
  ASSERT_TRUE(breach);
  EXPECT_NE(breach->find("node1, node2"), std::string::npos) << *breach;
}

TEST_F(InvariantsTest, WritableButUnreachableDoesNotCount) {
  cluster_.node(1).read_only = false;
  cluster_.cut(1, kGrouter);
  EXPECT_EQ(checker_.check(0), std::nullopt);
  EXPECT_EQ(checker_.check(10000), std::nullopt);
}

TEST_F(InvariantsTest, OnlineMemberWithDivergedHistoryBreaks) {
  cluster_.node(0).binlog.push_back(Txn{Gtid{0, 1, 1}, 1, 11});
  cluster_.node(1).binlog.push_back(Txn{Gtid{0, 1, 1}, 1, 11});
  EXPECT_EQ(checker_.check(0), std::nullopt);
  cluster_.node(2).binlog.push_back(Txn{Gtid{0, 1, 1}, 7, 99});  // same GTID, other content
  const auto breach = checker_.check(1);
  ASSERT_TRUE(breach);
  EXPECT_NE(breach->find("node3 is ONLINE"), std::string::npos) << *breach;
}

}  // namespace
}  // namespace grouter::sim
