// The group's event history (group_event.h): which decided entries become events and with what
// kind, member name, view and reason; the bounded history and since().
#include <gtest/gtest.h>

#include <string>

#include "metadata/group_event.h"

namespace grouter::metadata {
namespace {

constexpr const char* kFirst = "11111111-1111-4111-8111-111111111111";

GroupState one_member() {
  GroupState state;
  state.group_name = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
  state.view_id = {.fixed = 1700000000000, .seq = 4};
  Member m;
  m.member_id = kFirst;
  m.name = "node1";
  state.members.push_back(m);
  return state;
}

TEST(GroupEvent, ExpelNamesTheMemberTheViewAndTheReason) {
  auto event = event_of(MemberExpelled{kFirst, "unreachable for 5000 ms"}, one_member());
  ASSERT_TRUE(event);
  EXPECT_EQ(event->kind, "expelled");
  EXPECT_EQ(event->member, "node1");
  EXPECT_EQ(event->member_id, kFirst);
  EXPECT_EQ(event->view_id, "1700000000000:4");
  EXPECT_EQ(event->reason, "unreachable for 5000 ms");
  EXPECT_EQ(event->id, 0u);  // the history gives it
}

TEST(GroupEvent, KindsOfTheDecisionsPeopleWatch) {
  const GroupState state = one_member();
  EXPECT_EQ(event_of(MemberSuspected{kFirst}, state)->kind, "suspected");
  EXPECT_EQ(event_of(MemberOnline{kFirst}, state)->kind, "recovered");
  EXPECT_EQ(event_of(MemberJoined{kFirst}, state)->kind, "joined");
  EXPECT_EQ(event_of(RecoveryFailed{kFirst, "no donor", false}, state)->reason, "no donor");
  auto elected = event_of(PrimaryElected{kFirst, "elected: highest weight", false}, state);
  EXPECT_EQ(elected->kind, "elected");
  EXPECT_EQ(elected->member, "node1");
  EXPECT_EQ(elected->reason, "elected: highest weight");
  auto none = event_of(PrimaryElected{std::nullopt, "no member can be primary", false}, state);
  EXPECT_EQ(none->kind, "elected");
  EXPECT_EQ(none->member, "");
  EXPECT_EQ(event_of(FailoverWaiting{1, "node2 unreachable", kFirst}, state)->kind,
            "failover_waiting");
  EXPECT_EQ(event_of(FailoverWaiting{1, "", ""}, state)->kind, "failover_proceeds");
  EXPECT_EQ(event_of(RecoveryStarted{kFirst, kFirst, "0-1-5", 0}, state)->reason,
            "from donor node1");  // the donor by name
  auto added = event_of(MemberAdded{NodeConfig{.name = "node9", .member_id = kFirst}}, state);
  EXPECT_EQ(added->member, "node9");
}

TEST(GroupEvent, TheOperatorsStatements) {
  const GroupState state = one_member();
  auto stopped = event_of(MemberStopped{kFirst, "stopped by the operator"}, state);
  EXPECT_EQ(stopped->kind, "stopped");
  EXPECT_EQ(stopped->member, "node1");
  EXPECT_EQ(stopped->reason, "stopped by the operator");
  EXPECT_EQ(event_of(MemberStarted{kFirst}, state)->kind, "started");
  auto option = event_of(OptionChanged{"member_expel_timeout", "7"}, state);
  EXPECT_EQ(option->kind, "option");
  EXPECT_EQ(option->reason, "group_replication_member_expel_timeout = 7");
}

TEST(GroupEvent, BookkeepingEntriesAreNoEvents) {
  EXPECT_FALSE(event_of(MemberVersionObserved{kFirst, "10.11.6-MariaDB"}, one_member()));
  EXPECT_FALSE(event_of(OwnWritesRecorded{kFirst, "0-1-5"}, one_member()));
}

GroupEvent note(std::string text) {
  GroupEvent e;
  e.kind = "note";
  e.reason = std::move(text);
  return e;
}

TEST(EventHistory, GivesRisingIdsAndKeepsTheLastOnes) {
  EventHistory history(3);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(history.add(note(std::to_string(i))).id, uint64_t(i));
  EXPECT_EQ(history.size(), 3u);
  EXPECT_EQ(history.last_id(), 5u);
  auto all = history.since(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, 3u);
  EXPECT_EQ(all[0].reason, "3");
  EXPECT_EQ(all[2].id, 5u);
}

TEST(EventHistory, SinceReturnsWhatFollowsAnId) {
  EventHistory history(3);
  for (int i = 1; i <= 5; ++i) history.add(note(std::to_string(i)));
  EXPECT_EQ(history.since(4).size(), 1u);
  EXPECT_EQ(history.since(4)[0].id, 5u);
  EXPECT_TRUE(history.since(5).empty());
  EXPECT_EQ(history.since(1).size(), 3u);  // forgotten ones cannot be given: what is kept
  EXPECT_EQ(history.since(99).size(), 3u) << "an id from an earlier run gets everything kept";
  EXPECT_TRUE(EventHistory().since(0).empty());
}

TEST(EventHistory, DefaultCapacityIsBounded) {
  EventHistory history;
  for (int i = 0; i < 1000; ++i) history.add(note("x"));
  EXPECT_EQ(history.size(), EventHistory::kDefaultCapacity);
  EXPECT_EQ(history.since(0).front().id, 1000u - EventHistory::kDefaultCapacity + 1);
}

}  // namespace
}  // namespace grouter::metadata
