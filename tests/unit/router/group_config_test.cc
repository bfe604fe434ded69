// [group_replication] and [storage_node:NAME]: the issue's example, defaults, and each error.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "router/config.h"

namespace grouter {
namespace {

const std::string kGroup = R"([group_replication]
group_name = aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa
bootstrap_group = ON
single_primary_mode = ON
cluster_user = admin
cluster_password = admin_pw
recovery_user = repl
recovery_password = repl_pw
consistency = BEFORE_ON_PRIMARY_FAILOVER
member_expel_timeout = 5
unreachable_majority_timeout = 0
exit_state_action = OFFLINE_MODE
autorejoin_tries = 3
recovery_retry_count = 10
recovery_reconnect_interval = 60
[storage_node:n1]
address = 127.0.0.1:3306
member_weight = 50
[storage_node:n2]
address = 127.0.0.1:3307
member_weight = 70
)";
const std::string kRoutes = R"([routing:primary]
bind_port = 6446
destinations = metadata-cache://mygroup/?role=PRIMARY
routing_strategy = first-available
[routing:secondary]
bind_port = 6447
destinations = metadata-cache://mygroup/?role=SECONDARY
routing_strategy = round-robin-with-fallback
)";

TEST(GroupConfig, ParsesTheIssuesExample) {
  auto config = parse_config(kGroup + kRoutes, "g.conf");
  ASSERT_TRUE(config.has_value()) << config.error();
  ASSERT_TRUE(config->group_replication.has_value());
  const auto& g = *config->group_replication;
  EXPECT_EQ(g.group_name, "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
  EXPECT_TRUE(g.bootstrap_group);
  EXPECT_EQ(g.cluster_user, "admin");
  EXPECT_EQ(g.cluster_password, "admin_pw");
  EXPECT_EQ(g.consistency, Consistency::kBeforeOnPrimaryFailover);
  EXPECT_EQ(g.member_expel_timeout.count(), 5000);
  EXPECT_EQ(g.recovery_reconnect_interval.count(), 60000);
  EXPECT_EQ(g.exit_state_action, ExitStateAction::kOfflineMode);
  ASSERT_EQ(config->storage_nodes.size(), 2u);
  EXPECT_EQ(config->storage_nodes[1].name, "n2");
  EXPECT_EQ(config->storage_nodes[1].address.port, 3307);
  EXPECT_EQ(config->storage_nodes[1].member_weight, 70u);
  ASSERT_EQ(config->routes.size(), 2u);
  ASSERT_TRUE(config->routes[1].group.has_value());
  EXPECT_EQ(config->routes[1].group->role, routing::ServerRole::kSecondary);
  EXPECT_EQ(config->routes[1].strategy, routing::RoutingStrategy::kRoundRobinWithFallback);
  EXPECT_TRUE(config->routes[1].destinations.empty());
}

TEST(GroupConfig, DefaultsAreGrs) {
  auto config = parse_config(
      "[group_replication]\ngroup_name=aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa\ncluster_user=a\n"
      "cluster_password=b\nrecovery_user=c\nrecovery_password=d\n[storage_node:x]\naddress=h\n" +
          kRoutes,
      "g.conf");
  ASSERT_TRUE(config.has_value()) << config.error();
  const auto& g = *config->group_replication;
  EXPECT_FALSE(g.bootstrap_group);
  EXPECT_TRUE(g.single_primary_mode);
  EXPECT_EQ(g.consistency, Consistency::kBeforeOnPrimaryFailover);
  EXPECT_EQ(g.member_expel_timeout.count(), 5000);
  EXPECT_EQ(g.unreachable_majority_timeout.count(), 0);
  EXPECT_EQ(g.autorejoin_tries, 3u);
  EXPECT_EQ(g.recovery_retry_count, 10u);
  EXPECT_EQ(g.member_suspicion_timeout.count(), 3000);  // grouter's own default (GR: fixed 5 s)
  EXPECT_EQ(config->storage_nodes[0].member_weight, 50u);
  EXPECT_EQ(config->storage_nodes[0].address.port, 3306);
}

TEST(GroupConfig, PasswordFromAFile) {
  const std::string path = ::testing::TempDir() + "/grouter-cluster-pw";
  std::ofstream(path) << "s3cret\n";
  std::string text = kGroup + kRoutes;
  text.replace(text.find("cluster_password = admin_pw"), 27, "cluster_password_file = " + path);
  auto config = parse_config(text, "g.conf");
  ASSERT_TRUE(config.has_value()) << config.error();
  EXPECT_EQ(config->group_replication->cluster_password, "s3cret");
  std::remove(path.c_str());
}

TEST(GroupConfig, ErrorsNameTheLineAndTheProblem) {
  auto replace = [](std::string text, const std::string& from, const std::string& to) {
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  const std::string good = kGroup + kRoutes;
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {replace(good, "group_name = aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa", "group_name = mygroup"),
       "g.conf:2: invalid value 'mygroup' for option 'group_name' in [group_replication]: expected a UUID"},
      {replace(good, "consistency = BEFORE_ON_PRIMARY_FAILOVER", "consistency = STRONG"),
       "g.conf:9: invalid value 'STRONG' for option 'consistency'"},
      {replace(good, "bootstrap_group = ON", "bootstrap_group = ON\nstart_on_boot = maybe"),
       "g.conf:4: invalid value 'maybe' for option 'start_on_boot' in [group_replication]: "
       "expected ON or OFF"},
      {replace(good, "single_primary_mode = ON", "single_primary_mode = OFF"),
       "g.conf:4: invalid value 'OFF' for option 'single_primary_mode' in [group_replication]: "
       "multi-primary mode needs"},
      {replace(good, "bootstrap_group = ON", "bootstrap_group = maybe"),
       "g.conf:3: invalid value 'maybe' for option 'bootstrap_group' in [group_replication]: expected ON or OFF"},
      {replace(good, "exit_state_action = OFFLINE_MODE", "exit_state_action = PANIC"),
       "g.conf:12: invalid value 'PANIC' for option 'exit_state_action'"},
      {replace(good, "member_weight = 70", "member_weight = 101"),
       "g.conf:21: invalid value '101' for option 'member_weight' in [storage_node:n2]: expected an "
       "integer from 0 to 100"},
      {replace(good, "member_weight = 70", "weight = 7"),
       "g.conf:21: unknown option 'weight' in section [storage_node:n2]"},
      {replace(good, "recovery_user = repl\n", ""),
       "g.conf:1: section [group_replication] needs option 'recovery_user'"},
      {replace(good, "cluster_password = admin_pw\n", ""),
       "g.conf:1: section [group_replication] needs option 'cluster_password (or cluster_password_file)'"},
      {replace(good, "address = 127.0.0.1:3307", "address = 127.0.0.1:3306"),
       "g.conf:20: [storage_node:n2] has the address of [storage_node:n1]: 127.0.0.1:3306"},
      {replace(good, "cluster_password = admin_pw", "cluster_password_file = /nonexistent/pw"),
       "g.conf:6: option 'cluster_password_file' in [group_replication]: cannot read '/nonexistent/pw'"},
      {"[storage_node:x]\naddress = h\n[routing:r]\nbind_port=1\ndestinations=h\n",
       "g.conf:1: [storage_node:...] sections need a [group_replication] section"},
      {replace(good, "routing_strategy = first-available", "routing_strategy = next-available"),
       "g.conf:25: routing_strategy next-available in [routing:primary] does not apply to role=PRIMARY"},
  };
  for (const auto& c : cases) {
    auto config = parse_config(c.text, "g.conf");
    ASSERT_FALSE(config.has_value()) << c.error;
    EXPECT_EQ(config.error().substr(0, c.error.size()), c.error);
  }
  std::string ten = kRoutes + "[group_replication]\ngroup_name=aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa\n"
                    "cluster_user=a\ncluster_password=b\nrecovery_user=c\nrecovery_password=d\n";
  for (int i = 0; i < 10; ++i) {
    ten += "[storage_node:n" + std::to_string(i) + "]\naddress = 127.0.0.1:" + std::to_string(4000 + i) + "\n";
  }
  auto config = parse_config(ten, "g.conf");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().find("a group has at most 9 members; [storage_node:n9] is one too many"),
            std::string::npos)
      << config.error();
}

}  // namespace
}  // namespace grouter
