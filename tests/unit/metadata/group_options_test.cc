// GR's runtime options: the check of each value (every error case), the decided values over the
// file's, the variables, and OptionChanged / MemberWeightChanged in the state.
#include <gtest/gtest.h>

#include "metadata/group_options.h"
#include "metadata/metadata_error.h"
#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::id;
using testing::must_apply;
using testing::must_apply_all;
using testing::online_group;

TEST(CheckOption, AcceptsGrNamesUnitsAndRanges) {
  struct Case {
    const char* option;
    const char* value;
    const char* canonical_option;
    const char* canonical_value;
  } cases[] = {
      {"member_weight", "0", "member_weight", "0"},
      {"member_weight", "100", "member_weight", "100"},
      {"MEMBER_EXPEL_TIMEOUT", "3600", "member_expel_timeout", "3600"},
      {"group_replication_member_expel_timeout", "0", "member_expel_timeout", "0"},
      {"consistency", "after", "consistency", "AFTER"},
      {"consistency", "'BEFORE_AND_AFTER'", "consistency", "BEFORE_AND_AFTER"},
      {"recovery_retry_count", "31536000", "recovery_retry_count", "31536000"},
      {"recovery_reconnect_interval", "5", "recovery_reconnect_interval", "5"},
      {"exit_state_action", "read_only", "exit_state_action", "READ_ONLY"},
      {"exit_state_action", "ABORT_SERVER", "exit_state_action", "ABORT_SERVER"},
      {"autorejoin_tries", "2016", "autorejoin_tries", "2016"},
      {"unreachable_majority_timeout", "007", "unreachable_majority_timeout", "7"},
  };
  for (const Case& c : cases) {
    auto checked = check_option(c.option, c.value);
    ASSERT_TRUE(checked.has_value()) << c.option << "=" << c.value << ": " << checked.error();
    EXPECT_EQ(checked->option, c.canonical_option);
    EXPECT_EQ(checked->value, c.canonical_value);
  }
}

TEST(CheckOption, EachErrorNamesItsCause) {
  struct Case {
    const char* option;
    const char* value;
    const char* error;
  } cases[] = {
      {"member_wieght", "5",
       "unknown variable 'group_replication_member_wieght' (the options that change at run time: "
       "member_weight, member_expel_timeout, consistency, recovery_retry_count, "
       "recovery_reconnect_interval, exit_state_action, autorejoin_tries, "
       "unreachable_majority_timeout)"},
      {"group_name", "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa",
       "variable 'group_replication_group_name' cannot be changed at run time: it is the group's "
       "identity, set in grouter's configuration file"},
      {"single_primary_mode", "OFF",
       "variable 'group_replication_single_primary_mode' cannot be changed at run time: only "
       "single-primary mode is supported"},
      {"member_weight", "101",
       "variable 'group_replication_member_weight' can't be set to the value of '101': the range "
       "is 0 to 100"},
      {"member_weight", "-1",
       "incorrect argument type to variable 'group_replication_member_weight': '-1' is not an "
       "integer (0 to 100)"},
      {"member_expel_timeout", "3601",
       "variable 'group_replication_member_expel_timeout' can't be set to the value of '3601': "
       "the range is 0 to 3600 seconds"},
      {"member_expel_timeout", "1.5",
       "incorrect argument type to variable 'group_replication_member_expel_timeout': '1.5' is "
       "not an integer (0 to 3600 seconds)"},
      {"member_expel_timeout", "",
       "incorrect argument type to variable 'group_replication_member_expel_timeout': '' is not "
       "an integer (0 to 3600 seconds)"},
      {"autorejoin_tries", "99999999999999999999999",
       "variable 'group_replication_autorejoin_tries' can't be set to the value of "
       "'99999999999999999999999': the range is 0 to 2016"},
      {"recovery_retry_count", "ten",
       "incorrect argument type to variable 'group_replication_recovery_retry_count': 'ten' is "
       "not an integer (0 to 31536000)"},
      {"unreachable_majority_timeout", "31536001",
       "variable 'group_replication_unreachable_majority_timeout' can't be set to the value of "
       "'31536001': the range is 0 to 31536000 seconds"},
      {"consistency", "STRONG",
       "variable 'group_replication_consistency' can't be set to the value of 'STRONG': expected "
       "one of EVENTUAL, BEFORE_ON_PRIMARY_FAILOVER, BEFORE, AFTER, BEFORE_AND_AFTER"},
      {"exit_state_action", "1",
       "variable 'group_replication_exit_state_action' can't be set to the value of '1': expected "
       "one of OFFLINE_MODE, READ_ONLY, ABORT_SERVER"},
  };
  for (const Case& c : cases) {
    auto checked = check_option(c.option, c.value);
    ASSERT_FALSE(checked.has_value()) << c.option << "=" << c.value;
    EXPECT_EQ(checked.error(), c.error);
  }
}

TEST(DecidedOptions, ReplaceTheFilesValues) {
  ControllerConfig file;
  file.detector.member_expel_timeout_ms = 5000;
  GroupState s = must_apply_all(
      online_group(3),
      {OptionChanged{"member_expel_timeout", "12"}, OptionChanged{"consistency", "EVENTUAL"},
       OptionChanged{"recovery_retry_count", "3"}, OptionChanged{"recovery_reconnect_interval", "2"},
       OptionChanged{"exit_state_action", "READ_ONLY"}, OptionChanged{"autorejoin_tries", "0"},
       OptionChanged{"unreachable_majority_timeout", "30"},
       OptionChanged{"member_expel_timeout", "9"}});
  const ControllerConfig c = with_decided_options(file, s);
  EXPECT_EQ(c.detector.member_expel_timeout_ms, 9000);  // the later value
  EXPECT_EQ(c.consistency, "EVENTUAL");
  EXPECT_TRUE(c.eventual);
  EXPECT_EQ(c.recovery_retry_count, 3u);
  EXPECT_EQ(c.recovery_reconnect_interval_ms, 2000);
  EXPECT_EQ(c.exit_action, ExitAction::kReadOnly);
  EXPECT_EQ(c.autorejoin_tries, 0u);
  EXPECT_EQ(c.unreachable_majority_timeout_ms, 30000);
  EXPECT_EQ(s.options.size(), 7u);  // one per option, by name
  EXPECT_EQ(s.options.front().name, "autorejoin_tries");
  // Without decided values, the file's.
  EXPECT_EQ(with_decided_options(file, online_group(3)).detector.member_expel_timeout_ms, 5000);
}

TEST(DecidedOptions, ApplyRefusesWhatTheCheckRefuses) {
  const GroupState s = online_group(3);
  for (const OptionChanged& bad : {OptionChanged{"member_expel_timeout", "3601"},
                                   OptionChanged{"consistency", "after"},  // not canonical
                                   OptionChanged{"member_weight", "5"},    // per member
                                   OptionChanged{"group_name", "x"}, OptionChanged{"nope", "1"}}) {
    auto next = apply_entry(s, bad);
    ASSERT_FALSE(next.has_value()) << bad.option;
    EXPECT_EQ(next.error(), make_error_code(MetadataErrc::kInvalidOption));
  }
  auto early = apply_entry(GroupState{}, OptionChanged{"consistency", "AFTER"});
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error(), make_error_code(MetadataErrc::kNotBootstrapped));
}

TEST(DecidedOptions, AnOperatorsWeightSurvivesTheFilesMemberAdded) {
  GroupState s = must_apply_all(online_group(3), {MemberWeightChanged{id(2), 80},
                                                  MemberStopped{id(2), "stopped"}});
  NodeConfig from_file = testing::node(2, 50);
  from_file.port = 4000;
  s = must_apply(s, MemberAdded{from_file});
  EXPECT_EQ(s.find(id(2))->weight, 80u);
  EXPECT_EQ(s.find(id(2))->port, 4000);
}

TEST(Variables, ShowDecidedValuesInGrsNamesAndUnits) {
  ControllerConfig file;
  file.group_name = testing::kGroupName;
  file.detector.member_expel_timeout_ms = 5500;
  GroupState s = must_apply_all(online_group(3), {MemberWeightChanged{id(2), 70},
                                                  OptionChanged{"consistency", "AFTER"}});
  const auto vars = gr_variables(with_decided_options(file, s), s, s.find(id(2)));
  auto value = [&](const std::string& name) {
    for (const auto& [n, v] : vars) {
      if (n == name) return v;
    }
    return std::string("(absent)");
  };
  EXPECT_EQ(value("group_replication_member_weight"), "70");
  EXPECT_EQ(value("group_replication_consistency"), "AFTER");
  EXPECT_EQ(value("group_replication_member_expel_timeout"), "5.5");
  EXPECT_EQ(value("group_replication_group_name"), testing::kGroupName);
  EXPECT_EQ(value("group_replication_single_primary_mode"), "ON");
  EXPECT_EQ(value("group_replication_exit_state_action"), "OFFLINE_MODE");
  EXPECT_EQ(value("group_replication_recovery_reconnect_interval"), "60");
  EXPECT_EQ(value("group_replication_start_on_boot"), "ON");
  for (const auto& [n, v] : vars) {
    EXPECT_TRUE(n.starts_with("group_replication_")) << n;
    EXPECT_EQ(n.find("password"), std::string::npos) << n;
    EXPECT_EQ(n.find("user"), std::string::npos) << n;
  }
  EXPECT_TRUE(std::is_sorted(vars.begin(), vars.end()));
}

TEST(Variables, SecondsText) {
  EXPECT_EQ(seconds_text(0), "0");
  EXPECT_EQ(seconds_text(5000), "5");
  EXPECT_EQ(seconds_text(500), "0.5");
  EXPECT_EQ(seconds_text(1250), "1.25");
}

}  // namespace
}  // namespace grouter::metadata
