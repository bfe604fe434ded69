// apply_entry(): every entry type, every rejection, and the view id rule.
#include "metadata/apply.h"

#include <gtest/gtest.h>

#include "metadata/metadata_error.h"
#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::bootstrap_entry;
using testing::id;
using testing::kGroupName;
using testing::kViewFixed;
using testing::must_apply;
using testing::must_apply_all;
using testing::node;
using testing::online_group;

// n1 ONLINE PRIMARY, n2 ONLINE, n3 RECOVERING, n4 OFFLINE, n5 configured without member_id.
GroupState mixed_group() {
  Bootstrap b = bootstrap_entry(4);
  b.nodes.push_back(node(5, kDefaultMemberWeight, false));
  return must_apply_all(GroupState{},
                        {b, MemberJoined{id(1)}, MemberJoined{id(2)}, MemberJoined{id(3)},
                         MemberOnline{id(1)}, MemberOnline{id(2)}, PrimaryElected{id(1), "test"}});
}

const Member& member(const GroupState& state, int n) {
  return *state.find(id(n));
}

struct Rejection {
  const char* name;
  GroupState (*state)();
  Entry entry;
  MetadataErrc error;
};

GroupState empty_group() {
  return GroupState{};
}
GroupState full_group() {
  return online_group(9);
}
GroupState multi_primary_group() {
  Bootstrap b = bootstrap_entry(2);
  b.single_primary_mode = false;
  return must_apply_all(GroupState{}, {b, MemberJoined{id(1)}, MemberOnline{id(1)}});
}

Bootstrap bootstrap_with(void (*change)(Bootstrap&)) {
  Bootstrap b = bootstrap_entry(3);
  change(b);
  return b;
}

NodeConfig node_with(int n, void (*change)(NodeConfig&)) {
  NodeConfig c = node(n);
  change(c);
  return c;
}

TEST(Apply, Rejections) {
  const Rejection cases[] = {
      {"join before bootstrap", empty_group, MemberJoined{id(1)}, MetadataErrc::kNotBootstrapped},
      {"add before bootstrap", empty_group, MemberAdded{node(1)}, MetadataErrc::kNotBootstrapped},
      {"elect before bootstrap", empty_group, PrimaryElected{}, MetadataErrc::kNotBootstrapped},
      {"version before bootstrap", empty_group, MemberVersionObserved{id(1), "10.11.19"},
       MetadataErrc::kNotBootstrapped},
      {"second bootstrap", mixed_group, bootstrap_entry(3), MetadataErrc::kAlreadyBootstrapped},
      {"group name not a uuid", empty_group,
       bootstrap_with([](Bootstrap& b) { b.group_name = "mygroup"; }),
       MetadataErrc::kInvalidGroupName},
      {"bootstrap duplicate name", empty_group,
       bootstrap_with([](Bootstrap& b) { b.nodes[1].name = "n1"; }), MetadataErrc::kDuplicateName},
      {"bootstrap duplicate id", empty_group,
       bootstrap_with([](Bootstrap& b) { b.nodes[2].member_id = id(1); }),
       MetadataErrc::kDuplicateMemberId},
      {"bootstrap bad id", empty_group,
       bootstrap_with([](Bootstrap& b) { b.nodes[0].member_id = "1"; }),
       MetadataErrc::kInvalidMemberId},
      {"bootstrap empty host", empty_group,
       bootstrap_with([](Bootstrap& b) { b.nodes[0].host.clear(); }), MetadataErrc::kInvalidNode},
      {"bootstrap weight 101", empty_group,
       bootstrap_with([](Bootstrap& b) { b.nodes[0].weight = 101; }), MetadataErrc::kInvalidWeight},
      {"bootstrap 10 nodes", empty_group, bootstrap_entry(10), MetadataErrc::kGroupFull},
      {"add 10th member", full_group, MemberAdded{node(10)}, MetadataErrc::kGroupFull},
      {"add without id", mixed_group, MemberAdded{node(6, 50, false)},
       MetadataErrc::kInvalidMemberId},
      {"add port 0", mixed_group, MemberAdded{node_with(6, [](NodeConfig& c) { c.port = 0; })},
       MetadataErrc::kInvalidNode},
      {"add empty name", mixed_group,
       MemberAdded{node_with(6, [](NodeConfig& c) { c.name.clear(); })},
       MetadataErrc::kInvalidNode},
      {"add weight 101", mixed_group, MemberAdded{node(6, 101)}, MetadataErrc::kInvalidWeight},
      {"add other id to named node", mixed_group,
       MemberAdded{node_with(4, [](NodeConfig& c) { c.member_id = id(9); })},
       MetadataErrc::kMemberIdAssigned},
      {"add id of another node", mixed_group,
       MemberAdded{node_with(6, [](NodeConfig& c) { c.member_id = id(2); })},
       MetadataErrc::kDuplicateMemberId},
      {"add node in view", mixed_group, MemberAdded{node(2)}, MetadataErrc::kAlreadyInView},
      {"join in view", mixed_group, MemberJoined{id(1)}, MetadataErrc::kAlreadyInView},
      {"join unknown", mixed_group, MemberJoined{id(9)}, MetadataErrc::kUnknownMember},
      {"join empty id", mixed_group, MemberJoined{""}, MetadataErrc::kUnknownMember},
      {"online when online", mixed_group, MemberOnline{id(1)}, MetadataErrc::kInvalidTransition},
      {"online outside view", mixed_group, MemberOnline{id(4)}, MetadataErrc::kNotInView},
      {"suspect outside view", mixed_group, MemberSuspected{id(4)}, MetadataErrc::kNotInView},
      {"reachable when online", mixed_group, MemberReachable{id(2)},
       MetadataErrc::kInvalidTransition},
      {"reachable outside view", mixed_group, MemberReachable{id(4)}, MetadataErrc::kNotInView},
      {"expel outside view", mixed_group, MemberExpelled{id(4), "x"}, MetadataErrc::kNotInView},
      {"expel unknown", mixed_group, MemberExpelled{id(9), "x"}, MetadataErrc::kUnknownMember},
      {"leave outside view", mixed_group, MemberLeft{id(4), "x"}, MetadataErrc::kNotInView},
      {"error unknown", mixed_group, MemberError{id(9), "x"}, MetadataErrc::kUnknownMember},
      {"primary recovering", mixed_group, PrimaryElected{id(3), ""},
       MetadataErrc::kPrimaryNotOnline},
      {"primary outside view", mixed_group, PrimaryElected{id(4), ""},
       MetadataErrc::kPrimaryNotOnline},
      {"primary unknown", mixed_group, PrimaryElected{id(9), ""}, MetadataErrc::kUnknownMember},
      {"primary in multi-primary", multi_primary_group, PrimaryElected{id(1), ""},
       MetadataErrc::kNotSinglePrimary},
      {"bad version", mixed_group, MemberVersionObserved{id(1), "ten"},
       MetadataErrc::kInvalidVersion},
      {"version unknown member", mixed_group, MemberVersionObserved{id(9), "10.11.19"},
       MetadataErrc::kUnknownMember},
      {"weight 101", mixed_group, MemberWeightChanged{id(1), 101}, MetadataErrc::kInvalidWeight},
      {"weight unknown member", mixed_group, MemberWeightChanged{id(9), 10},
       MetadataErrc::kUnknownMember},
  };
  for (const Rejection& c : cases) {
    const GroupState before = c.state();
    const auto result = apply_entry(before, c.entry);
    ASSERT_FALSE(result.has_value()) << c.name;
    EXPECT_EQ(result.error(), make_error_code(c.error))
        << c.name << ": got " << result.error().message();
  }
}

TEST(Apply, SuspectTwiceIsRejected) {
  const GroupState s = must_apply(mixed_group(), MemberSuspected{id(2)});
  const auto again = apply_entry(s, MemberSuspected{id(2)});
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error(), make_error_code(MetadataErrc::kInvalidTransition));
  const auto online = apply_entry(s, MemberOnline{id(2)});
  ASSERT_FALSE(online.has_value());
  EXPECT_EQ(online.error(), make_error_code(MetadataErrc::kInvalidTransition));
}

TEST(Apply, BootstrapConfiguresNodesOutsideAnEmptyView) {
  const GroupState s = must_apply(GroupState{}, bootstrap_entry(3));
  EXPECT_EQ(s.group_name, kGroupName);
  EXPECT_TRUE(s.single_primary_mode);
  EXPECT_EQ(to_string(s.view_id), std::to_string(kViewFixed) + ":0");
  EXPECT_FALSE(s.primary.has_value());
  ASSERT_EQ(s.members.size(), 3u);
  for (int n = 1; n <= 3; ++n) {
    const Member& m = s.members[static_cast<size_t>(n - 1)];
    EXPECT_EQ(m.name, "n" + std::to_string(n));
    EXPECT_EQ(m.member_id, id(n));
    EXPECT_EQ(m.state, MemberState::kOffline);
    EXPECT_EQ(m.role, MemberRole::kNone);
    EXPECT_FALSE(m.in_view);
  }
}

TEST(Apply, MemberAddedAssignsIdOrConfiguresNode) {
  GroupState s = must_apply(mixed_group(), MemberAdded{node(5)});
  EXPECT_EQ(s.members[4].member_id, id(5));
  EXPECT_EQ(s.members.size(), 5u);
  NodeConfig moved = node(4, 80);
  moved.host = "10.0.0.4";
  s = must_apply(s, MemberAdded{moved});
  EXPECT_EQ(member(s, 4).host, "10.0.0.4");
  EXPECT_EQ(member(s, 4).weight, 80u);
  s = must_apply(s, MemberAdded{node(6)});
  ASSERT_EQ(s.members.size(), 6u);
  EXPECT_EQ(s.members.back().name, "n6");
  EXPECT_EQ(s.members.back().state, MemberState::kOffline);
  EXPECT_EQ(s.view_id, mixed_group().view_id);
}

TEST(Apply, JoinEntersViewRecovering) {
  GroupState s = must_apply(mixed_group(), MemberError{id(4), "errant transactions"});
  EXPECT_EQ(member(s, 4).state_reason, "errant transactions");
  s = must_apply(s, MemberJoined{id(4)});
  const Member& m = member(s, 4);
  EXPECT_TRUE(m.in_view);
  EXPECT_EQ(m.state, MemberState::kRecovering);
  EXPECT_EQ(m.role, MemberRole::kSecondary);
  EXPECT_EQ(m.state_reason, "");
  EXPECT_EQ(s.view_id.seq, mixed_group().view_id.seq + 1);
}

TEST(Apply, SuspicionKeepsViewStateAndPrimary) {
  const GroupState before = mixed_group();
  GroupState s = must_apply_all(before, {MemberSuspected{id(1)}, MemberSuspected{id(3)}});
  EXPECT_EQ(member(s, 1).state, MemberState::kUnreachable);
  EXPECT_EQ(member(s, 1).role, MemberRole::kPrimary);
  EXPECT_TRUE(member(s, 1).in_view);
  EXPECT_EQ(s.primary, id(1));
  EXPECT_EQ(s.view_id, before.view_id);
  s = must_apply_all(s, {MemberReachable{id(1)}, MemberReachable{id(3)}});
  EXPECT_EQ(member(s, 1).state, MemberState::kOnline);
  EXPECT_EQ(member(s, 3).state, MemberState::kRecovering);
  EXPECT_EQ(s, before);
}

struct Departure {
  const char* name;
  Entry entry;
  MemberState state;
  std::string reason;
};

TEST(Apply, DeparturesLeaveViewAndDropPrimary) {
  const Departure cases[] = {
      {"expelled", MemberExpelled{id(1), "unreachable for 5000 ms"}, MemberState::kError,
       "unreachable for 5000 ms"},
      {"expelled, no reason", MemberExpelled{id(1), ""}, MemberState::kError, "expelled"},
      {"left", MemberLeft{id(1), "stopped"}, MemberState::kOffline, "stopped"},
      {"error", MemberError{id(1), "applier error"}, MemberState::kError, "applier error"},
  };
  const GroupState before = must_apply(mixed_group(), MemberSuspected{id(1)});
  for (const Departure& c : cases) {
    const GroupState s = must_apply(before, c.entry);
    const Member& m = member(s, 1);
    EXPECT_FALSE(m.in_view) << c.name;
    EXPECT_EQ(m.state, c.state) << c.name;
    EXPECT_EQ(m.state_reason, c.reason) << c.name;
    EXPECT_EQ(m.role, MemberRole::kNone) << c.name;
    EXPECT_FALSE(s.primary.has_value()) << c.name;
    EXPECT_EQ(s.view_id.seq, before.view_id.seq + 1) << c.name;
    EXPECT_EQ(member(s, 2).role, MemberRole::kSecondary) << c.name;
  }
}

TEST(Apply, ErrorOutsideViewKeepsView) {
  const GroupState before = mixed_group();
  const GroupState s = must_apply(before, MemberError{id(4), "log_bin is OFF"});
  EXPECT_EQ(member(s, 4).state, MemberState::kError);
  EXPECT_EQ(member(s, 4).state_reason, "log_bin is OFF");
  EXPECT_EQ(s.view_id, before.view_id);
}

TEST(Apply, PrimaryElectionSetsRolesWithoutViewChange) {
  const GroupState before = mixed_group();
  GroupState s = must_apply(before, PrimaryElected{id(2), "switchover"});
  EXPECT_EQ(s.primary, id(2));
  EXPECT_EQ(member(s, 2).role, MemberRole::kPrimary);
  EXPECT_EQ(member(s, 1).role, MemberRole::kSecondary);
  EXPECT_EQ(member(s, 4).role, MemberRole::kNone);
  EXPECT_EQ(s.view_id, before.view_id);
  s = must_apply(s, PrimaryElected{std::nullopt, "no ONLINE member"});
  EXPECT_FALSE(s.primary.has_value());
  EXPECT_EQ(member(s, 2).role, MemberRole::kSecondary);
}

TEST(Apply, VersionAndWeight) {
  GroupState s = must_apply_all(mixed_group(), {MemberVersionObserved{id(4), "10.11.19-MariaDB"},
                                                MemberWeightChanged{id(2), 0}});
  EXPECT_EQ(member(s, 4).version.text, "10.11.19-MariaDB");
  EXPECT_EQ(member(s, 4).version.minor, 11u);
  EXPECT_EQ(member(s, 2).weight, 0u);
  EXPECT_EQ(s.view_id, mixed_group().view_id);
}

TEST(Apply, MultiPrimaryRoles) {
  const GroupState s = must_apply(multi_primary_group(), MemberJoined{id(2)});
  EXPECT_FALSE(s.primary.has_value());
  EXPECT_EQ(member(s, 1).role, MemberRole::kPrimary);
  EXPECT_EQ(member(s, 2).role, MemberRole::kSecondary);  // RECOVERING
}

struct SeqStep {
  Entry entry;
  uint64_t seq;  // expected view seq after the entry
};

TEST(Apply, ViewSeqRisesByOnePerMembershipChange) {
  const SeqStep steps[] = {
      {bootstrap_entry(3), 0},
      {MemberJoined{id(1)}, 1},
      {MemberOnline{id(1)}, 1},
      {PrimaryElected{id(1), "bootstrap"}, 1},
      {MemberJoined{id(2)}, 2},
      {MemberJoined{id(3)}, 3},
      {MemberOnline{id(2)}, 3},
      {MemberOnline{id(3)}, 3},
      {MemberSuspected{id(1)}, 3},
      {MemberReachable{id(1)}, 3},
      {MemberSuspected{id(1)}, 3},
      {MemberExpelled{id(1), "unreachable"}, 4},
      {PrimaryElected{id(2), "primary expelled"}, 4},
      {MemberJoined{id(1)}, 5},
      {MemberVersionObserved{id(1), "10.11.19"}, 5},
      {MemberError{id(1), "errant transactions"}, 6},
      {MemberLeft{id(3), "stopped"}, 7},
      {MemberError{id(3), "requirements"}, 7},
  };
  GroupState s;
  for (const SeqStep& step : steps) {
    s = must_apply(s, step.entry);
    EXPECT_EQ(s.view_id.fixed, kViewFixed);
    EXPECT_EQ(s.view_id.seq, step.seq) << entry_type(step.entry);
    EXPECT_TRUE(check_invariants(s).has_value()) << check_invariants(s).error();
  }
}

std::error_code rejection(const GroupState& state, const Entry& entry) {
  auto next = apply_entry(state, entry);
  return next ? std::error_code{} : next.error();
}

TEST(Apply, TermsOnlyRise) {
  GroupState s = must_apply(online_group(3), TermBegun{2});
  EXPECT_EQ(s.term, 2u);
  EXPECT_EQ(rejection(s, TermBegun{2}), make_error_code(MetadataErrc::kStaleTerm));
  EXPECT_EQ(rejection(s, TermBegun{1}), make_error_code(MetadataErrc::kStaleTerm));
}

TEST(Apply, AFailoverIsRecordedBeforeItActsAndEndsWithItsPrimary) {
  GroupState s = must_apply(online_group(3), TermBegun{4});
  EXPECT_EQ(rejection(s, FailoverStarted{4, id(1)}), make_error_code(MetadataErrc::kHasPrimary));
  s = must_apply(s, MemberExpelled{id(1), "gone"});
  EXPECT_EQ(s.last_primary, id(1));
  EXPECT_EQ(rejection(s, FailoverWaiting{4, "x", ""}), make_error_code(MetadataErrc::kNoFailover));
  EXPECT_EQ(rejection(s, FailoverStarted{3, id(1)}), make_error_code(MetadataErrc::kStaleTerm));
  s = must_apply_all(s, {FailoverStarted{4, id(1)}, FailoverWaiting{4, "waiting for n2", id(2)}});
  EXPECT_EQ(s.failover->waiting, "waiting for n2");
  s = must_apply(s, FailoverDecided{4, id(2), "0-1-9", ""});
  EXPECT_EQ(s.failover->waiting, "");
  EXPECT_EQ(s.failover->target, "0-1-9");
  // A newer term takes it over: the decided target stays as the floor.
  s = must_apply_all(s, {TermBegun{5}, FailoverStarted{5, id(1)}});
  EXPECT_EQ(s.failover->target, "0-1-9");
  EXPECT_EQ(rejection(s, FailoverDecided{4, id(2), "0-1-9", ""}),
            make_error_code(MetadataErrc::kStaleTerm));
  s = must_apply(s, PrimaryElected{id(2), "failover"});
  EXPECT_FALSE(s.failover.has_value());
}

TEST(Apply, ForceMembersInstallsOneViewOfTheListedMembers) {
  EXPECT_EQ(rejection(online_group(5), MembersForced{id(3)}),
            make_error_code(MetadataErrc::kHasPrimary));
  GroupState s = must_apply_all(online_group(5), {MemberExpelled{id(1), "gone"}});
  EXPECT_EQ(rejection(s, MembersForced{id(1)}), make_error_code(MetadataErrc::kInvalidForce));
  EXPECT_EQ(rejection(s, MembersForced{""}), make_error_code(MetadataErrc::kInvalidForce));
  const uint64_t seq = s.view_id.seq;
  s = must_apply(s, MembersForced{id(3) + "," + id(4) + "," + id(5)});
  EXPECT_EQ(s.view_id.seq, seq + 1);
  EXPECT_EQ(s.view_member_ids(), (std::vector<std::string>{id(3), id(4), id(5)}));
  EXPECT_EQ(s.find(id(2))->state, MemberState::kError);
  EXPECT_EQ(s.failover->forced_members, id(3) + "," + id(4) + "," + id(5));
  EXPECT_EQ(s.failover->old_primary, id(1));
}

TEST(Apply, ForceMembersWithoutAMajorityExcludesTheSuspectedPrimary) {
  GroupState s = must_apply_all(online_group(3), {MemberSuspected{id(1)}, MemberSuspected{id(2)}});
  s = must_apply(s, MembersForced{id(3)});
  EXPECT_FALSE(s.primary.has_value());
  EXPECT_EQ(s.failover->old_primary, id(1));
  EXPECT_EQ(s.view_member_ids(), std::vector<std::string>{id(3)});
}

TEST(Apply, RecoveryAttemptsAndDonorsAreRecorded) {
  GroupState s = must_apply_all(online_group(3), {MemberExpelled{id(3), "gone"}, MemberJoined{id(3)}});
  ASSERT_TRUE(s.find(id(3))->recovery);
  EXPECT_EQ(s.find(id(3))->recovery->attempts, 0u);
  s = must_apply_all(s, {RecoveryStarted{id(3), id(2), "0-1-7", 5},
                         RecoveryFailed{id(3), "error 1236", true},
                         RecoveryStarted{id(3), id(1), "0-1-9", 6}});
  const RecoveryRecord& r = *s.find(id(3))->recovery;
  EXPECT_EQ(r.attempts, 2u);
  EXPECT_EQ(r.donor, id(1));
  EXPECT_EQ(r.target, "0-1-9");
  EXPECT_EQ(r.tried, id(2) + "," + id(1));
  EXPECT_EQ(r.last_error, "error 1236");
  s = must_apply(s, RecoveryPaused{id(3), 7});
  EXPECT_EQ(s.find(id(3))->recovery->tried, "");
  EXPECT_EQ(s.find(id(3))->recovery->paused_at_ms, 7u);
  s = must_apply(s, MemberOnline{id(3)});
  EXPECT_FALSE(s.find(id(3))->recovery);
}

TEST(Apply, RecoveryEntriesNeedARecoveringMemberAndAPosition) {
  const GroupState s = online_group(3);
  EXPECT_EQ(apply_entry(s, RecoveryStarted{id(2), id(1), "0-1-7", 1}).error(),
            make_error_code(MetadataErrc::kInvalidTransition));
  const GroupState joining =
      must_apply_all(s, {MemberExpelled{id(3), "gone"}, MemberJoined{id(3)}});
  EXPECT_EQ(apply_entry(joining, RecoveryStarted{id(3), id(1), "not a position", 1}).error(),
            make_error_code(MetadataErrc::kInvalidPosition));
  EXPECT_EQ(apply_entry(s, OwnWritesRecorded{id(2), "0-2"}).error(),
            make_error_code(MetadataErrc::kInvalidPosition));
}

TEST(Apply, FailedRejoinsCountUntilOnline) {
  GroupState s = must_apply(online_group(3), MemberExpelled{id(3), "gone"});
  for (int i = 0; i < 2; ++i) {
    s = must_apply_all(s, {MemberJoined{id(3)}, MemberError{id(3), "recovery failed", false, true}});
  }
  EXPECT_EQ(s.find(id(3))->rejoin_failures, 2u);
  s = must_apply_all(s, {MemberJoined{id(3)}, MemberOnline{id(3)}});
  EXPECT_EQ(s.find(id(3))->rejoin_failures, 0u);
}

TEST(Apply, ErrantMembersAndFailedRejoinsAreTriedAgainInTheNextTerm) {
  GroupState s = must_apply_all(online_group(3), {MemberError{id(3), "errant", true},
                                                  MemberExpelled{id(2), "gone"}, MemberJoined{id(2)},
                                                  MemberError{id(2), "recovery failed", false, true}});
  EXPECT_TRUE(s.find(id(3))->errant);
  EXPECT_EQ(s.find(id(2))->rejoin_failures, 1u);
  s = must_apply(s, TermBegun{s.term + 1});
  EXPECT_FALSE(s.find(id(3))->errant);
  EXPECT_EQ(s.find(id(2))->rejoin_failures, 0u);
}

TEST(Apply, OwnWriteBaselinesAreTakenAgainAfterThePrimaryChanges) {
  GroupState s = must_apply_all(online_group(3), {OwnWritesRecorded{id(2), "0-2-4"},
                                                  OwnWritesRecorded{id(3), "0-3-1"}});
  EXPECT_EQ(s.find(id(2))->own_writes, "0-2-4");
  s = must_apply(s, PrimaryElected{id(2), "switchover"});
  EXPECT_FALSE(s.find(id(1))->own_writes);  // the old primary wrote as primary
  EXPECT_FALSE(s.find(id(2))->own_writes);  // the new one writes as primary
  EXPECT_EQ(s.find(id(3))->own_writes, "0-3-1");
}

}  // namespace
}  // namespace grouter::metadata
