// Which members of a decided state the group routes may use, and the controller settings taken
// from the configuration.
#include "router/group_routing.h"

#include <gtest/gtest.h>

#include "metadata/apply.h"

namespace grouter {
namespace {

using metadata::MemberState;

metadata::GroupState three_members() {
  metadata::Bootstrap b;
  b.group_name = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
  b.view_fixed = 1;
  const char* ids[] = {"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
                       "33333333-3333-4333-8333-333333333333"};
  for (int i = 0; i < 3; ++i) {
    b.nodes.push_back({"n" + std::to_string(i + 1), "127.0.0.1", static_cast<uint16_t>(3301 + i), 50, ids[i]});
  }
  auto state = metadata::apply_entry({}, b);
  EXPECT_TRUE(state.has_value());
  for (const char* id : ids) {
    state = metadata::apply_entry(*state, metadata::MemberJoined{id});
    state = metadata::apply_entry(*state, metadata::MemberOnline{id});
  }
  state = metadata::apply_entry(*state, metadata::PrimaryElected{std::string(ids[1]), "test"});
  EXPECT_TRUE(state.has_value());
  return *state;
}

TEST(GroupRouting, PrimaryAndOnlineSecondaries) {
  auto state = three_members();
  auto set = destinations_of(state, metadata::RouteAccess::kAll, 7);
  EXPECT_EQ(set.generation, 7u);
  ASSERT_EQ(set.primaries.size(), 1u);
  EXPECT_EQ(set.primaries[0].port, 3302);
  ASSERT_EQ(set.secondaries.size(), 2u);
  EXPECT_EQ(set.secondaries[0].port, 3301);
  EXPECT_EQ(set.secondaries[1].port, 3303);
}

TEST(GroupRouting, TheGroupsConsistencyIsTheDecidedOneOrTheConfiguredOne) {
  auto state = three_members();
  EXPECT_EQ(destinations_of(state, metadata::RouteAccess::kAll, 1, routing::Consistency::kAfter)
                .consistency,
            routing::Consistency::kAfter);
  auto decided = metadata::apply_entry(state, metadata::OptionChanged{"consistency", "EVENTUAL"});
  ASSERT_TRUE(decided.has_value());
  EXPECT_EQ(destinations_of(*decided, metadata::RouteAccess::kAll, 2, routing::Consistency::kAfter)
                .consistency,
            routing::Consistency::kEventual);
}

TEST(GroupRouting, HeldPrimaryTakesNoConnections) {
  auto set = destinations_of(three_members(), metadata::RouteAccess::kNoPrimary, 1);
  EXPECT_TRUE(set.primaries.empty());
  EXPECT_EQ(set.secondaries.size(), 2u);
}

TEST(GroupRouting, OfflineModeTakesNothing) {
  auto set = destinations_of(three_members(), metadata::RouteAccess::kNone, 1);
  EXPECT_TRUE(set.primaries.empty());
  EXPECT_TRUE(set.secondaries.empty());
}

TEST(GroupRouting, UnreachableRecoveringAndExpelledMembersTakeNone) {
  auto state = three_members();
  // The primary suspected: no primary destination, though it is still the primary of the view.
  auto suspected = metadata::apply_entry(state, metadata::MemberSuspected{state.members[1].member_id});
  ASSERT_TRUE(suspected.has_value());
  auto set = destinations_of(*suspected, metadata::RouteAccess::kAll, 1);
  EXPECT_TRUE(set.primaries.empty());
  EXPECT_EQ(set.secondaries.size(), 2u);
  // A secondary expelled (ERROR) and one rejoining (RECOVERING): neither is used.
  auto expelled = metadata::apply_entry(state, metadata::MemberExpelled{state.members[0].member_id, "gone"});
  ASSERT_TRUE(expelled.has_value());
  auto rejoining = metadata::apply_entry(*expelled, metadata::MemberJoined{state.members[0].member_id});
  ASSERT_TRUE(rejoining.has_value());
  EXPECT_EQ(rejoining->members[0].state, MemberState::kRecovering);
  for (const auto& s : {*expelled, *rejoining}) {
    set = destinations_of(s, metadata::RouteAccess::kAll, 1);
    ASSERT_EQ(set.secondaries.size(), 1u);
    EXPECT_EQ(set.secondaries[0].port, 3303);
    EXPECT_EQ(set.primaries.size(), 1u);
  }
}

TEST(GroupRouting, ControllerSettingsFromTheConfiguration) {
  auto config = parse_config(R"([DEFAULT]
runtime_folder = /var/lib/grouter
[group_replication]
group_name = aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa
bootstrap_group = ON
cluster_user = admin
cluster_password = pw
recovery_user = repl
recovery_password = rpw
consistency = EVENTUAL
member_expel_timeout = 7
[storage_node:a]
address = 127.0.0.1:3306
member_weight = 70
[routing:primary]
bind_port = 6446
destinations = metadata-cache://g/?role=PRIMARY
)", "test.conf");
  ASSERT_TRUE(config.has_value()) << config.error();
  auto c = controller_config(*config);
  EXPECT_EQ(c.state_folder, "/var/lib/grouter/group");
  EXPECT_TRUE(c.bootstrap_group);
  EXPECT_TRUE(c.eventual);
  EXPECT_EQ(c.detector.member_expel_timeout_ms, 7000);
  EXPECT_EQ(c.detector.suspicion_timeout_ms, 3000);
  EXPECT_EQ(c.detector.probe_interval_ms, 500);
  ASSERT_EQ(c.nodes.size(), 1u);
  EXPECT_EQ(c.nodes[0].name, "a");
  EXPECT_EQ(c.nodes[0].weight, 70u);
  EXPECT_EQ(c.recovery_password, "rpw");
}

}  // namespace
}  // namespace grouter
