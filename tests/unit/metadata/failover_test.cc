// The failover safety rule and plan (metadata/failover.h): the two double faults of issue 8 wait,
// single faults proceed, and the plan holds every transaction any read member holds.
#include "metadata/failover.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::id;
using testing::must_apply;
using testing::must_apply_all;
using testing::online_group;
using testing::pos;

// The probe facts of a replica receiving from node `source` (its receiver running).
NodeFacts receiving_from(int source, const std::string& received = "") {
  NodeFacts f;
  f.read_only = true;
  f.replica = testing::replicating_from(source, received);
  return f;
}

NodeFacts primary_facts(bool semi_sync_active = true) {
  NodeFacts f;
  f.semi_sync_master_enabled = true;
  f.semi_sync_master_active = semi_sync_active;
  return f;
}

// The plan decide_failover must give (a failed expectation and an empty plan otherwise).
FailoverPlan plan_of(const FailoverInput& input) {
  FailoverDecision d = decide_failover(input);
  if (auto* wait = std::get_if<FailoverWait>(&d)) {
    ADD_FAILURE() << "waits: " << wait->reason;
    return {};
  }
  return std::get<FailoverPlan>(d);
}

struct Fixture {
  GroupState state;
  FailoverInput input;

  // `count` nodes, node 1 the lost primary (expelled), the others replicas of it.
  explicit Fixture(int count) {
    state = must_apply(online_group(count), MemberExpelled{id(1), "test"});
    input.state = &state;
    input.old_primary = id(1);
    for (int n = 1; n <= count; ++n) {
      FailoverNode node{id(n), "127.0.0.1", static_cast<uint16_t>(3300 + n), {}, {}};
      node.last_facts = n == 1 ? primary_facts() : receiving_from(1);
      input.nodes.push_back(node);
    }
  }
  FailoverNode& node(int n) { return input.nodes[static_cast<size_t>(n - 1)]; }
  void read(int n, const std::string& received, const std::string& executed) {
    node(n).read = FailoverRead{pos(received), pos(executed)};
  }
};

TEST(FailoverTest, SingleFailureProceedsAndTheWinnerCatchesUpFromTheMostAdvanced) {
  Fixture f(3);
  f.read(2, "0-1-10", "0-1-8");  // node 2 wins by member_id but lags node 3
  f.read(3, "0-1-12", "0-1-12");
  auto d = decide_failover(f.input);
  ASSERT_TRUE(std::holds_alternative<FailoverPlan>(d)) << std::get<FailoverWait>(d).reason;
  const auto& plan = std::get<FailoverPlan>(d);
  EXPECT_EQ(plan.winner, id(2));
  EXPECT_EQ(to_string(plan.target), "0-1-12");
  EXPECT_EQ(plan.donor, id(3));
  EXPECT_EQ(plan.others, std::vector<std::string>{id(3)});
  EXPECT_EQ(plan.may_lose, "");
}

TEST(FailoverTest, NoDonorWhenTheWinnerHoldsTheTargetInItsRelayLog) {
  Fixture f(3);
  f.read(2, "0-1-12", "0-1-3");
  f.read(3, "0-1-11", "0-1-11");
  const FailoverPlan plan = plan_of(f.input);
  EXPECT_EQ(plan.winner, id(2));
  EXPECT_FALSE(plan.donor.has_value());
}

// Issue 8, scenario 1: the primary killed and the secondary holding the latest acknowledged
// writes hung at once. A majority answers, but the hung member may be the only holder: wait.
TEST(FailoverTest, PrimaryKilledAndHolderHungWaitsForTheHolder) {
  Fixture f(3);
  f.read(3, "0-1-5", "0-1-5");
  f.read(2, "0-1-5", "0-1-5");
  f.node(2).read.reset();  // node 2 hung: no read
  auto d = decide_failover(f.input);
  ASSERT_TRUE(std::holds_alternative<FailoverWait>(d));
  // Only 1 of the 2 members of the view answered: no majority either.
  EXPECT_NE(std::get<FailoverWait>(d).reason.find("no majority"), std::string::npos);
  // Node 2 resumes and is read: the plan takes what it holds.
  f.read(2, "0-1-9", "0-1-7");
  const FailoverPlan plan = plan_of(f.input);
  EXPECT_EQ(to_string(plan.target), "0-1-9");
}

// Issue 8, scenario 2: five nodes, the primary and the secondary that kept up killed together.
// Three of the four left answer (a majority), but the killed secondary may hold acknowledged
// writes the three lack.
TEST(FailoverTest, PrimaryAndKeepingUpSecondaryKilledWaitsForIt) {
  Fixture f(5);
  f.read(3, "0-1-4", "0-1-4");
  f.read(4, "0-1-4", "0-1-4");
  f.read(5, "0-1-3", "0-1-3");
  auto d = decide_failover(f.input);
  ASSERT_TRUE(std::holds_alternative<FailoverWait>(d));
  const auto& wait = std::get<FailoverWait>(d);
  EXPECT_EQ(wait.missing, std::vector<std::string>{id(2)});
  EXPECT_NE(wait.reason.find("waiting for n2"), std::string::npos) << wait.reason;
  // It restarts and is read (its kept relay log applied): the failover proceeds with its writes.
  f.read(2, "0-1-20", "0-1-20");
  const FailoverPlan plan = plan_of(f.input);
  EXPECT_EQ(plan.winner, id(2));
  EXPECT_EQ(to_string(plan.target), "0-1-20");
}

TEST(FailoverTest, AStoppedReceiverIsExcusedOnlyWhenWhatItReceivedWasRead) {
  Fixture f(5);
  f.node(2).last_facts->replica->io_running = "No";  // its receiver was stopped
  f.node(2).last_facts->replica->received = pos("0-1-9");
  f.read(3, "0-1-4", "0-1-4");
  f.read(4, "0-1-4", "0-1-4");
  f.read(5, "0-1-4", "0-1-4");
  // It may have acknowledged 0-1-5..9 alone before it stopped.
  EXPECT_TRUE(std::holds_alternative<FailoverWait>(decide_failover(f.input)));
  f.read(5, "0-1-9", "0-1-4");
  EXPECT_EQ(to_string(plan_of(f.input).target), "0-1-9");
  // Seen stopped before a repoint or a recovery started its receiver again: it may hold more.
  f.node(2).facts_current = false;
  EXPECT_TRUE(std::holds_alternative<FailoverWait>(decide_failover(f.input)));
  f.node(2).facts_current = true;
  // A node that restarted forgot what it received (Gtid_IO_Pos empty), not its relay log.
  f.node(2).last_facts->replica->received = GtidPosition{};
  EXPECT_TRUE(std::holds_alternative<FailoverWait>(decide_failover(f.input)));
}

TEST(FailoverTest, ADeadNodeIsBoundedByThePrimaryPositionProbedAfterItDied) {
  Fixture f(5);
  f.read(3, "0-1-40", "0-1-40");
  f.read(4, "0-1-40", "0-1-40");
  f.read(5, "0-1-38", "0-1-38");
  f.node(2).dead_bound = pos("0-1-12");  // died long before the primary
  EXPECT_EQ(plan_of(f.input).winner, id(3));
  f.node(2).dead_bound = pos("0-1-41");  // the primary had more when it died: it may hold 0-1-41
  EXPECT_TRUE(std::holds_alternative<FailoverWait>(decide_failover(f.input)));
}

TEST(FailoverTest, AMemberNeverProbedMayHoldAnything) {
  Fixture f(3);
  f.node(2).last_facts.reset();
  f.read(3, "0-1-4", "0-1-4");
  EXPECT_EQ(possible_holders(f.input), (std::vector<std::string>{id(2), id(3)}));
  EXPECT_EQ(known_holdings(f.node(2)), std::nullopt);
}

TEST(FailoverTest, TheOldPrimaryReadCoversEveryHolder) {
  Fixture f(5);
  f.read(1, "", "0-1-30");  // restarted: its binary log holds everything it sent
  f.read(3, "0-1-4", "0-1-4");
  f.read(4, "0-1-4", "0-1-4");
  f.read(5, "0-1-4", "0-1-4");
  const FailoverPlan plan = plan_of(f.input);
  EXPECT_EQ(to_string(plan.target), "0-1-30");
  EXPECT_EQ(plan.donor, id(1));
}

TEST(FailoverTest, AnOldPrimaryThatFellBackToAsyncIsItselfAHolder) {
  Fixture f(3);
  f.node(1).last_facts = primary_facts(/*semi_sync_active=*/false);
  f.read(2, "0-1-4", "0-1-4");
  f.read(3, "0-1-4", "0-1-4");
  EXPECT_EQ(possible_holders(f.input), (std::vector<std::string>{id(1), id(2), id(3)}));
  auto d = decide_failover(f.input);
  ASSERT_TRUE(std::holds_alternative<FailoverWait>(d));
  EXPECT_EQ(std::get<FailoverWait>(d).missing, std::vector<std::string>{id(1)});
}

TEST(FailoverTest, NoOnlineMemberReadWaits) {
  Fixture f(3);
  f.state = must_apply(f.state, MemberSuspected{id(2)});
  f.state = must_apply(f.state, MemberSuspected{id(3)});
  f.read(2, "0-1-4", "0-1-4");
  f.read(3, "0-1-4", "0-1-4");
  auto d = decide_failover(f.input);
  ASSERT_TRUE(std::holds_alternative<FailoverWait>(d));
  EXPECT_EQ(std::get<FailoverWait>(d).reason,
            "no ONLINE or RECOVERING member of the view answered");
}

TEST(FailoverTest, WithOnlyRecoveringMembersAnsweringOneOfThemWins) {
  Fixture f(3);
  f.state = must_apply_all(f.state, {MemberError{id(2), "x"}, MemberJoined{id(2)},
                                     MemberError{id(3), "x"}, MemberJoined{id(3)}});
  f.read(2, "0-1-4", "0-1-4");
  f.read(3, "0-1-6", "0-1-6");
  const FailoverPlan plan = plan_of(f.input);
  EXPECT_EQ(plan.winner, id(2));
  EXPECT_EQ(plan.donor, id(3));
  EXPECT_EQ(recheck_failover(plan, f.input), std::nullopt);
}

TEST(FailoverTest, ForceMembersProceedsAndNamesWhatMayBeLost) {
  Fixture f(5);
  f.node(2).last_facts = receiving_from(1, "0-1-25");
  f.read(3, "0-1-4", "0-1-4");
  f.read(4, "0-1-4", "0-1-4");
  f.read(5, "0-1-3", "0-1-3");
  f.input.forced_members = std::vector<std::string>{id(3), id(4), id(5)};
  auto d = decide_failover(f.input);
  ASSERT_TRUE(std::holds_alternative<FailoverPlan>(d)) << std::get<FailoverWait>(d).reason;
  const auto& plan = std::get<FailoverPlan>(d);
  EXPECT_EQ(plan.winner, id(3));
  EXPECT_EQ(plan.may_lose, "n2: up to 0-1-25 (21 transaction(s) beyond 0-1-4)");
}

TEST(FailoverTest, AFloorNoReadHoldsWaits) {
  Fixture f(3);
  f.read(2, "0-1-4", "0-1-4");
  f.read(3, "0-1-4", "0-1-4");
  f.input.floor = pos("0-1-9");  // decided before a restart, its donor now gone
  auto d = decide_failover(f.input);
  ASSERT_TRUE(std::holds_alternative<FailoverWait>(d));
  EXPECT_NE(std::get<FailoverWait>(d).reason.find("0-1-9"), std::string::npos);
}

TEST(FailoverTest, RecheckCatchesChangesBeforeAStep) {
  Fixture f(3);
  f.read(2, "0-1-4", "0-1-4");
  f.read(3, "0-1-6", "0-1-6");
  const FailoverPlan plan = plan_of(f.input);
  EXPECT_EQ(recheck_failover(plan, f.input), std::nullopt);
  f.read(3, "0-1-7", "0-1-6");  // received one more: the target no longer covers it
  EXPECT_NE(recheck_failover(plan, f.input)->find("beyond the target"), std::string::npos);
  f.read(3, "0-1-6", "0-1-6");
  f.node(2).read.reset();
  EXPECT_EQ(*recheck_failover(plan, f.input), "the elected member n2 no longer answers");
}

}  // namespace
}  // namespace grouter::metadata
