// SessionFacts within its bounds: long values and too many variables are left out, not cut, and
// mark the facts incomplete; a reset forgets variables but keeps the GTIDs written.
#include "routing/session_facts.h"

#include <gtest/gtest.h>

#include <string>

#include "protocol/mysql_wire/capabilities.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

wire::OkPacket ok_with(std::vector<wire::SessionStateEntry> entries) {
  wire::OkPacket ok;
  ok.status_flags = wire::server_status::kAutocommit | wire::server_status::kSessionStateChanged;
  ok.session_state = std::move(entries);
  return ok;
}

TEST(SessionFactsTest, LatestValuePerVariable) {
  SessionFacts f;
  apply_ok(f, ok_with({wire::TrackedSystemVariable{"sql_mode", "A"},
                       wire::TrackedSystemVariable{"time_zone", "UTC"}}));
  apply_ok(f, ok_with({wire::TrackedSystemVariable{"sql_mode", "B"}}));
  ASSERT_EQ(f.system_variables.size(), 2u);
  EXPECT_EQ(*f.variable("sql_mode"), "B");
  EXPECT_EQ(*f.variable("time_zone"), "UTC");
  EXPECT_TRUE(f.autocommit());
  EXPECT_FALSE(f.incomplete);
}

TEST(SessionFactsTest, ValuePastTheBoundIsLeftOut) {
  SessionFacts f;
  apply_ok(f, ok_with({wire::TrackedSystemVariable{"init_connect", "short"}}));
  apply_ok(f, ok_with({wire::TrackedSystemVariable{
                  "init_connect", std::string(SessionFacts::kMaxFactBytes + 1, 'x')}}));
  EXPECT_EQ(f.variable("init_connect"), nullptr);
  EXPECT_TRUE(f.incomplete);
}

TEST(SessionFactsTest, VariablesPastTheBoundAreLeftOut) {
  SessionFacts f;
  for (std::size_t i = 0; i <= SessionFacts::kMaxTrackedVariables; ++i) {
    apply_ok(f, ok_with({wire::TrackedSystemVariable{"v" + std::to_string(i), "1"}}));
  }
  EXPECT_EQ(f.system_variables.size(), SessionFacts::kMaxTrackedVariables);
  EXPECT_TRUE(f.incomplete);
  apply_ok(f, ok_with({wire::TrackedSystemVariable{"v0", "2"}}));  // known ones still change
  EXPECT_EQ(*f.variable("v0"), "2");
}

TEST(SessionFactsTest, SchemaAndDroppedDatabase) {
  SessionFacts f;
  EXPECT_FALSE(f.schema);
  apply_ok(f, ok_with({wire::TrackedSchema{"shop"}}));
  EXPECT_EQ(f.schema, "shop");
  wire::OkPacket dropped;
  dropped.status_flags = wire::server_status::kDbDropped;
  apply_ok(f, dropped);
  EXPECT_EQ(f.schema, "");
  apply_schema(f, std::string(SessionFacts::kMaxFactBytes + 1, 's'));
  EXPECT_FALSE(f.schema);
  EXPECT_TRUE(f.incomplete);
}

TEST(SessionFactsTest, GtidsAndErrors) {
  SessionFacts f;
  apply_ok(f, ok_with({wire::TrackedGtids{0, "3E11FA47-71CA-11E1-9E33-C80AA9429562:23"},
                       wire::TrackedSystemVariable{"last_gtid", "0-1-7"}}));
  EXPECT_EQ(f.gtids, "3E11FA47-71CA-11E1-9E33-C80AA9429562:23");
  EXPECT_EQ(f.last_gtid, "0-1-7");
  apply_err(f, wire::ErrPacket{1213, "40001", "Deadlock found"});
  EXPECT_EQ(f.last_error_code, 1213);
  EXPECT_EQ(f.last_sql_state, "40001");
  EXPECT_EQ(f.errors, 1u);
  reset_session_state(f);
  EXPECT_TRUE(f.system_variables.empty());
  EXPECT_EQ(f.last_gtid, "0-1-7");
}

}  // namespace
}  // namespace grouter::routing
