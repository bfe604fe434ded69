// STOP / START GROUP_REPLICATION and the bootstrap: the checks (member_ops.h) and the entries
// (MemberStopped, MemberStarted) in the state.
#include <gtest/gtest.h>

#include "metadata/member_ops.h"
#include "metadata/metadata_error.h"
#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::id;
using testing::must_apply;
using testing::must_apply_all;
using testing::online_group;
using F = SwitchoverFailure;

// The refusal of stopping member N of STATE, or "" when it is allowed.
std::string refusal(const GroupState& state, int n, size_t configured = 3) {
  auto plan = plan_stop(state, *state.find(id(n)), configured);
  return plan ? "" : plan.error().message;
}

TEST(FindMember, ByIdOrNodeName) {
  const GroupState s = online_group(3);
  EXPECT_EQ(find_member(s, id(2))->name, "n2");
  EXPECT_EQ(find_member(s, "n3")->member_id, id(3));
  EXPECT_EQ(find_member(s, "n9"), nullptr);
  EXPECT_EQ(find_member(s, ""), nullptr);
}

TEST(PlanStop, ASecondaryOfAHealthyGroupStopsAtOnce) {
  const GroupState s = online_group(3);
  auto plan = plan_stop(s, *s.find(id(3)), 3);
  ASSERT_TRUE(plan.has_value());
  EXPECT_FALSE(plan->already_stopped);
  EXPECT_FALSE(plan->switchover_to);
}

TEST(PlanStop, ThePrimaryStopsAfterASwitchoverToTheElectedMember) {
  GroupState s = must_apply(online_group(3), MemberWeightChanged{id(3), 90});
  auto plan = plan_stop(s, *s.find(id(1)), 3);
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->switchover_to, id(3));  // highest member_weight
}

TEST(PlanStop, StoppedOrOutsideTheViewNeedsNoViewChange) {
  GroupState s = must_apply(online_group(3), MemberStopped{id(3), "stopped"});
  EXPECT_TRUE(plan_stop(s, *s.find(id(3)), 3)->already_stopped);
  s = must_apply(online_group(3), MemberExpelled{id(2), "gone"});
  s = must_apply(s, MemberSuspected{id(3)});  // no majority left: still fine, no view change
  EXPECT_EQ(refusal(s, 2), "");
}

TEST(PlanStop, EachRefusalSaysWhy) {
  const GroupState healthy = online_group(3);
  // No majority reachable now.
  GroupState s = must_apply_all(healthy, {MemberSuspected{id(2)}, MemberSuspected{id(3)}});
  EXPECT_EQ(refusal(s, 2), "a majority of view 1700000000000:3 is not reachable (UNREACHABLE: "
                           "n2, n3): the view cannot change");
  // The view left would have no reachable majority: {n1, n2} with n2 unreachable.
  s = must_apply(healthy, MemberSuspected{id(2)});
  EXPECT_EQ(refusal(s, 3), "stopping n3 would leave a view without a reachable majority "
                           "(UNREACHABLE: n2)");
  // The primary would have nobody to acknowledge its writes.
  s = must_apply(online_group(2), MemberWeightChanged{id(2), 50});
  EXPECT_EQ(refusal(s, 2, 2), "stopping n2 would leave the primary n1 without an ONLINE secondary "
                              "to acknowledge its writes (semi-sync): start another member first");
  // A primary that nobody can replace.
  s = must_apply_all(online_group(3), {MemberStopped{id(3), "x"}, MemberStopped{id(2), "y"}});
  EXPECT_EQ(refusal(s, 1), "n1 is the primary and no other ONLINE member can take over");
  // A failover in progress.
  s = must_apply_all(online_group(3), {MemberExpelled{id(1), "gone"}, FailoverStarted{0, id(1)}});
  EXPECT_EQ(refusal(s, 2), "a failover is in progress");
  // Not bootstrapped.
  GroupState none;
  Member m;
  EXPECT_EQ(plan_stop(none, m, 3).error().message, "the group is not bootstrapped");
  EXPECT_EQ(plan_stop(none, m, 3).error().kind, F::Kind::kUnavailable);
}

TEST(PlanStop, OneNodeGroupStopsNothingButItsPrimaryIsRefused) {
  const GroupState s = online_group(1);
  EXPECT_EQ(refusal(s, 1, 1), "n1 is the primary and no other ONLINE member can take over");
}

TEST(CheckStart, RefusalsAndSuccess) {
  GroupState s = must_apply(online_group(3), MemberStopped{id(3), "x"});
  EXPECT_TRUE(check_start(s, *s.find(id(3))).has_value());
  auto in_view = check_start(s, *s.find(id(2)));
  ASSERT_FALSE(in_view.has_value());
  EXPECT_EQ(in_view.error().kind, F::Kind::kInvalidRequest);
  EXPECT_EQ(in_view.error().message, "member n2 is already in the group (ONLINE)");
  Member m;
  EXPECT_EQ(check_start(GroupState{}, m).error().kind, F::Kind::kUnavailable);
  GroupState empty = must_apply(GroupState{}, testing::bootstrap_entry(2));
  EXPECT_EQ(check_start(empty, *empty.find(id(1))).error().message,
            "no member is in the group to join: bootstrap it on one member first");
}

TEST(CheckBootstrap, RefusedWhileTheGroupRuns) {
  EXPECT_TRUE(check_bootstrap(GroupState{}).has_value());
  EXPECT_TRUE(check_bootstrap(must_apply(GroupState{}, testing::bootstrap_entry(3))).has_value());
  auto running = check_bootstrap(online_group(3));
  ASSERT_FALSE(running.has_value());
  EXPECT_EQ(running.error().kind, F::Kind::kInvalidRequest);
  EXPECT_EQ(running.error().message, "the group is already running (view 1700000000000:3, "
                                     "primary n1): it cannot be bootstrapped again");
}

TEST(MemberStopped, LeavesTheViewOfflineAndStopped) {
  const GroupState before = online_group(3);
  GroupState s = must_apply(before, MemberStopped{id(3), "stopped by the operator"});
  const Member* m = s.find(id(3));
  EXPECT_FALSE(m->in_view);
  EXPECT_EQ(m->state, MemberState::kOffline);
  EXPECT_EQ(m->role, MemberRole::kNone);
  EXPECT_TRUE(m->stopped);
  EXPECT_EQ(m->state_reason, "stopped by the operator");
  EXPECT_EQ(s.view_id.seq, before.view_id.seq + 1);
  EXPECT_TRUE(check_invariants(s).has_value());
  // Outside the view: no view change.
  GroupState err = must_apply(before, MemberError{id(2), "broken"});
  GroupState stopped = must_apply(err, MemberStopped{id(2), "stopped"});
  EXPECT_EQ(stopped.view_id, err.view_id);
  EXPECT_EQ(stopped.find(id(2))->state, MemberState::kOffline);
}

TEST(MemberStopped, NeverThePrimaryNorAnUnknownMember) {
  auto primary = apply_entry(online_group(3), MemberStopped{id(1), "x"});
  ASSERT_FALSE(primary.has_value());
  EXPECT_EQ(primary.error(), make_error_code(MetadataErrc::kIsPrimary));
  auto unknown = apply_entry(online_group(3), MemberStopped{id(8), "x"});
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error(), make_error_code(MetadataErrc::kUnknownMember));
}

TEST(MemberStarted, ClearsTheStopAndTheGiveUps) {
  GroupState s = must_apply_all(online_group(3), {MemberStopped{id(3), "x"}});
  s = must_apply(s, MemberStarted{id(3)});
  EXPECT_FALSE(s.find(id(3))->stopped);
  EXPECT_EQ(s.find(id(3))->state, MemberState::kOffline);  // it joins by decide()'s rejoin
  GroupState errant = must_apply(online_group(3), MemberError{id(2), "errant", true, true});
  errant = must_apply(errant, MemberStarted{id(2)});
  EXPECT_FALSE(errant.find(id(2))->errant);
  EXPECT_EQ(errant.find(id(2))->rejoin_failures, 0u);
  auto in_view = apply_entry(online_group(3), MemberStarted{id(2)});
  ASSERT_FALSE(in_view.has_value());
  EXPECT_EQ(in_view.error(), make_error_code(MetadataErrc::kNotStopped));
}

}  // namespace
}  // namespace grouter::metadata

namespace grouter::metadata {
namespace {

TEST(CheckBootstrapNode, TheNodeMustHoldWhatEveryAnsweringNodeExecuted) {
  const std::vector<NodeHolding> nodes = {{"n1", true, testing::pos("0-1-10")},
                                          {"n2", true, testing::pos("0-1-12")},
                                          {"n3", true, testing::pos("0-1-11")}};
  EXPECT_TRUE(check_bootstrap_node(nodes, "n2").has_value());
  auto behind = check_bootstrap_node(nodes, "n1");
  ASSERT_FALSE(behind.has_value());
  EXPECT_EQ(behind.error().kind, SwitchoverFailure::Kind::kInvalidRequest);
  EXPECT_EQ(behind.error().message, "n2 has executed 0-1-12, which n1 (0-1-10) lacks: bootstrap "
                                    "the group on the most advanced node");
  auto silent = nodes;
  silent[0].answered = false;
  auto refused = check_bootstrap_node(silent, "n2");
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().kind, SwitchoverFailure::Kind::kUnavailable);
  EXPECT_EQ(refused.error().message,
            "n1 does not answer: what it holds cannot be checked before n2 bootstraps the group");
  EXPECT_EQ(check_bootstrap_node(nodes, "n9").error().message, "no storage node n9");
}

}  // namespace
}  // namespace grouter::metadata
