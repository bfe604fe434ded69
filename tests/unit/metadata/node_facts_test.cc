// Probe results (as MariaDB 10.11 answers SHOW VARIABLES / SHOW STATUS / SHOW SLAVE STATUS) to
// NodeFacts, and the requirements a member must meet.
#include "metadata/node_facts.h"

#include <gtest/gtest.h>

namespace grouter::metadata {
namespace {

sql::ResultSet name_values(std::vector<std::pair<std::string, std::string>> rows) {
  sql::ResultSet r;
  r.columns = {"Variable_name", "Value"};
  for (auto& [n, v] : rows) r.rows.push_back({n, v});
  return r;
}

sql::ResultSet good_variables() {
  return name_values({{"binlog_format", "ROW"},
                      {"gtid_binlog_pos", "0-2-41"},
                      {"gtid_current_pos", "0-2-41"},
                      {"gtid_slave_pos", "0-2-40"},
                      {"gtid_strict_mode", "ON"},
                      {"log_bin", "ON"},
                      {"log_slave_updates", "ON"},
                      {"read_only", "ON"},
                      {"rpl_semi_sync_master_enabled", "OFF"},
                      {"rpl_semi_sync_master_wait_point", "AFTER_SYNC"},
                      {"rpl_semi_sync_slave_enabled", "ON"},
                      {"server_id", "3"},
                      {"version", "10.11.19-MariaDB-0+deb12u1-log"}});
}

sql::ResultSet slave_status(std::string io, std::string sql_running, std::string io_pos,
                            std::string io_errno = "0", std::string sql_errno = "0") {
  sql::ResultSet r;
  r.columns = {"Slave_IO_State",    "Master_Host",           "Master_Port",   "Slave_IO_Running",
               "Slave_SQL_Running", "Last_IO_Errno",         "Last_IO_Error", "Last_SQL_Errno",
               "Last_SQL_Error",    "Seconds_Behind_Master", "Gtid_IO_Pos"};
  r.rows.push_back({"Waiting for master to send event", "127.0.0.1", "3322", io, sql_running,
                    io_errno, io_errno == "0" ? "" : "boom", sql_errno,
                    sql_errno == "0" ? "" : "applier boom", std::nullopt, io_pos});
  return r;
}

TEST(NodeFacts, ParsesAReplica) {
  auto facts = parse_probe(
      good_variables(),
      name_values({{"Rpl_semi_sync_master_clients", "0"}, {"Rpl_semi_sync_master_status", "OFF"}}),
      slave_status("Yes", "Yes", "0-2-42"));
  ASSERT_TRUE(facts.has_value()) << facts.error();
  EXPECT_EQ(facts->server_id, 3u);
  EXPECT_TRUE(facts->read_only);
  EXPECT_EQ(to_string(facts->binlog_pos), "0-2-41");
  EXPECT_EQ(to_string(facts->slave_pos), "0-2-40");
  EXPECT_TRUE(facts->semi_sync_present);
  EXPECT_TRUE(facts->semi_sync_slave_enabled);
  EXPECT_FALSE(facts->semi_sync_master_enabled);
  EXPECT_EQ(facts->semi_sync_wait_point, "AFTER_SYNC");
  ASSERT_TRUE(facts->replica.has_value());
  EXPECT_EQ(facts->replica->source_host, "127.0.0.1");
  EXPECT_EQ(facts->replica->source_port, 3322);
  EXPECT_EQ(to_string(facts->replica->received), "0-2-42");
  EXPECT_FALSE(facts->replica->seconds_behind.has_value());
  EXPECT_TRUE(facts->replicating());
  EXPECT_FALSE(unmet_requirement(*facts).has_value());
}

TEST(NodeFacts, ReceiverStatesOnTheWayUpCountAsReplicating) {
  for (const char* io : {"Connecting", "Preparing", "Yes"}) {
    auto facts = parse_probe(good_variables(), name_values({}), slave_status(io, "Yes", ""));
    ASSERT_TRUE(facts.has_value());
    EXPECT_TRUE(facts->replicating()) << io;
  }
  auto stopped =
      parse_probe(good_variables(), name_values({}), slave_status("No", "Yes", "", "1236"));
  ASSERT_TRUE(stopped.has_value());
  EXPECT_FALSE(stopped->replicating());
  EXPECT_EQ(stopped->replica->last_io_errno, 1236u);
  auto applier =
      parse_probe(good_variables(), name_values({}), slave_status("Yes", "No", "", "0", "1950"));
  ASSERT_TRUE(applier.has_value());
  EXPECT_FALSE(applier->replicating());
  EXPECT_EQ(applier->replica->last_sql_errno, 1950u);
}

TEST(NodeFacts, AKeptRelayLogIsUnseenAfterARestartAndWhileItIsAppliedInFileMode) {
  auto kept = [](std::string sql_running, std::string using_gtid, std::string io_pos) {
    sql::ResultSet status = slave_status("No", sql_running, io_pos);
    status.columns.push_back("Using_Gtid");
    status.rows[0].push_back(using_gtid);
    auto facts = parse_probe(good_variables(), name_values({}), status);
    EXPECT_TRUE(facts.has_value());
    return facts && facts->may_keep_unseen_relay_log();
  };
  EXPECT_TRUE(kept("No", "Slave_Pos", ""));  // restarted, not started again
  EXPECT_TRUE(kept("Yes", "No", ""));        // applied in file mode (a grouter may have stopped)
  EXPECT_FALSE(kept("Yes", "Slave_Pos", ""));
  EXPECT_FALSE(kept("No", "Slave_Pos", "0-2-42"));  // what it received is known
}

TEST(NodeFacts, APrimaryHasNoReplicaAndSemiSyncStatus) {
  auto facts = parse_probe(
      good_variables(),
      name_values({{"Rpl_semi_sync_master_clients", "2"}, {"Rpl_semi_sync_master_status", "ON"}}),
      sql::ResultSet{});
  ASSERT_TRUE(facts.has_value());
  EXPECT_FALSE(facts->replica.has_value());
  EXPECT_FALSE(facts->replicating());
  EXPECT_TRUE(facts->semi_sync_master_active);
  EXPECT_EQ(facts->semi_sync_master_clients, 2u);
}

TEST(NodeFacts, MissingOrMalformedVariablesAreErrors) {
  auto r = parse_probe(name_values({{"version", "10.11.19"}}), name_values({}), sql::ResultSet{});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("server_id"), std::string::npos) << r.error();
  auto vars = good_variables();
  for (auto& row : vars.rows) {
    if (*row[0] == "gtid_binlog_pos") row[1] = "zero";
  }
  r = parse_probe(vars, name_values({}), sql::ResultSet{});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().find("gtid_binlog_pos"), std::string::npos) << r.error();
}

TEST(NodeFacts, RequirementsNameWhatIsMissing) {
  struct Case {
    const char* variable;
    const char* value;
    const char* expected;
  };
  for (const Case& c :
       {Case{"log_bin", "OFF", "binary log"}, Case{"log_slave_updates", "OFF", "log_slave_updates"},
        Case{"binlog_format", "MIXED", "binlog_format is MIXED"},
        Case{"gtid_strict_mode", "OFF", "gtid_strict_mode"},
        Case{"relay_log_recovery", "ON", "relay_log_recovery is ON"}}) {
    auto vars = good_variables();
    vars.rows.push_back({"relay_log_recovery", "OFF"});
    for (auto& row : vars.rows) {
      if (*row[0] == c.variable) row[1] = c.value;
    }
    auto facts = parse_probe(vars, name_values({}), sql::ResultSet{});
    ASSERT_TRUE(facts.has_value());
    auto unmet = unmet_requirement(*facts);
    ASSERT_TRUE(unmet.has_value()) << c.variable;
    EXPECT_NE(unmet->find(c.expected), std::string::npos) << *unmet;
  }
  auto vars = good_variables();
  std::erase_if(vars.rows, [](const auto& row) { return row[0]->starts_with("rpl_semi_sync"); });
  auto facts = parse_probe(vars, name_values({}), sql::ResultSet{});
  ASSERT_TRUE(facts.has_value());
  EXPECT_EQ(unmet_requirement(*facts).value_or(""),
            "semi-synchronous replication is not available");
}

TEST(NodeFacts, SemiSyncIsGuardedOnlyWhenItCannotFallBackToAsynchronous) {
  auto vars = good_variables();
  vars.rows.push_back({"rpl_semi_sync_master_wait_no_slave", "ON"});
  vars.rows.push_back({"rpl_semi_sync_master_timeout", "4294967295"});
  auto facts = parse_probe(vars,
                           name_values({{"Rpl_semi_sync_master_status", "OFF"},
                                        {"Rpl_semi_sync_master_clients", "0"},
                                        {"Rpl_semi_sync_master_no_tx", "2"}}),
                           sql::ResultSet{});
  ASSERT_TRUE(facts.has_value());
  EXPECT_TRUE(facts->semi_sync_master_guarded());
  EXPECT_FALSE(facts->semi_sync_master_active);
  EXPECT_EQ(facts->semi_sync_master_no_tx, 2u);
  struct Case {
    const char* variable;
    const char* value;
  };
  for (const Case& c : {Case{"rpl_semi_sync_master_timeout", "10000"},
                        Case{"rpl_semi_sync_master_wait_no_slave", "OFF"},
                        Case{"rpl_semi_sync_master_wait_point", "AFTER_COMMIT"}}) {
    auto changed = vars;
    for (auto& row : changed.rows) {
      if (*row[0] == c.variable) row[1] = c.value;
    }
    auto f = parse_probe(changed, name_values({}), sql::ResultSet{});
    ASSERT_TRUE(f.has_value());
    EXPECT_FALSE(f->semi_sync_master_guarded()) << c.variable << " = " << c.value;
  }
  EXPECT_FALSE(
      parse_probe(good_variables(), name_values({}), sql::ResultSet{})->semi_sync_master_guarded())
      << "variables not reported: not guarded";
}

sql::ResultSet grants(std::vector<std::string> lines) {
  sql::ResultSet r;
  r.columns = {"Grants for admin@%"};
  for (auto& line : lines) r.rows.push_back({line});
  return r;
}

constexpr const char* kV1011 = "10.11.19-MariaDB-0+deb12u1-log";

TEST(NodeFacts, GlobalPrivilegesComeFromEveryGlobalGrantLine) {
  // As MariaDB 10.11 answers SHOW GRANTS for an account with a default role.
  auto p = parse_global_privileges(
      grants({"GRANT `grr` TO `mon`@`%`",
              "GRANT RELOAD, PROCESS, SLAVE MONITOR ON *.* TO `mon`@`%` IDENTIFIED BY PASSWORD "
              "'*B69027D44F6E5EDC07F1AEAD1477967B16F28227'",
              "GRANT ALL PRIVILEGES ON `test`.* TO `mon`@`%`",
              "GRANT CONNECTION ADMIN, READ_ONLY ADMIN ON *.* TO `grr`",
              "GRANT PROXY ON ''@'%' TO 'mon'@'%' WITH GRANT OPTION",
              "SET DEFAULT ROLE `grr` FOR `mon`@`%`"}));
  EXPECT_EQ(p, (std::set<std::string>{"RELOAD", "PROCESS", "SLAVE MONITOR", "CONNECTION ADMIN",
                                      "READ_ONLY ADMIN"}));
  EXPECT_EQ(missing_privileges(p, kV1011),
            (std::vector<std::string>{"REPLICATION SLAVE ADMIN", "REPLICATION MASTER ADMIN"}));
  EXPECT_TRUE(parse_global_privileges(grants({})).empty());
  EXPECT_TRUE(parse_global_privileges(sql::ResultSet{}).empty());
}

TEST(NodeFacts, AllPrivilegesOrTheDocumentedSetIsEnough) {
  auto all =
      parse_global_privileges(grants({"GRANT ALL PRIVILEGES ON *.* TO `admin`@`%` IDENTIFIED BY "
                                      "PASSWORD '*x' WITH GRANT OPTION"}));
  EXPECT_TRUE(missing_privileges(all, kV1011).empty());
  auto smallest = parse_global_privileges(grants(
      {"GRANT RELOAD, PROCESS, SLAVE MONITOR, REPLICATION SLAVE ADMIN, REPLICATION MASTER ADMIN, "
       "READ_ONLY ADMIN, CONNECTION ADMIN ON *.* TO `admin`@`%`"}));
  EXPECT_TRUE(missing_privileges(smallest, kV1011).empty());
  EXPECT_EQ(missing_privileges({}, kV1011).size(), 7u);
}

TEST(NodeFacts, SuperImpliesReadOnlyAdminOnlyBefore1011) {
  const std::set<std::string> super = {"SUPER", "RELOAD", "PROCESS"};
  EXPECT_EQ(missing_privileges(super, kV1011), std::vector<std::string>{"READ_ONLY ADMIN"});
  EXPECT_TRUE(missing_privileges(super, "10.6.18-MariaDB").empty());
  EXPECT_EQ(missing_privileges({"SUPER"}, "10.6.18-MariaDB"),
            (std::vector<std::string>{"RELOAD", "PROCESS"}));
}

TEST(NodeFacts, MissingPrivilegesAreAnUnmetRequirementOnceProbed) {
  auto facts = parse_probe(good_variables(), name_values({}), sql::ResultSet{});
  ASSERT_TRUE(facts.has_value());
  EXPECT_FALSE(unmet_requirement(*facts).has_value()) << "not probed: not checked";
  facts->global_privileges = parse_global_privileges(grants(
      {"GRANT RELOAD, PROCESS, SLAVE MONITOR, REPLICATION SLAVE ADMIN, REPLICATION MASTER ADMIN "
       "ON *.* TO `admin`@`%`"}));
  EXPECT_EQ(unmet_requirement(*facts).value_or(""),
            "cluster_user lacks the global privilege(s) READ_ONLY ADMIN, CONNECTION ADMIN (GRANT "
            "them ON *.*)");
  facts->global_privileges->insert("ALL PRIVILEGES");
  EXPECT_FALSE(unmet_requirement(*facts).has_value());
}

}  // namespace
}  // namespace grouter::metadata
