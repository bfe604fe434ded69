// The tables the admin port answers from, built from the group's decided state and the monitor's
// member progress: performance_schema.replication_group_members and
// replication_group_member_stats with GR's columns and types, the name/value listings (global
// status and variables) and SHOW's shapes. docs/admin-sql.md says how each stats column is
// derived. Pure.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "metadata/group_service.h"
#include "metadata/group_state.h"
#include "router/admin/sql_eval.h"

namespace grouter::admin {

using NameValues = std::vector<std::pair<std::string, std::string>>;

inline constexpr const char* kPerformanceSchema = "performance_schema";
inline constexpr const char* kChannelName = "group_replication_applier";
// What MEMBER_COMMUNICATION_STACK shows: the group's decisions travel through grouter's own log
// (local, or etcd), neither GR's XCom nor the MySQL protocol.
inline constexpr const char* kCommunicationStack = "grouter";

// performance_schema.replication_group_members: one row per configured storage node, in
// configuration order (a node outside the group shows OFFLINE/ERROR and an empty role).
[[nodiscard]] Table members_table(const metadata::GroupState& state);

// performance_schema.replication_group_member_stats: one row per member of the view.
[[nodiscard]] Table member_stats_table(const metadata::GroupState& state,
                                       const std::vector<metadata::MemberProgress>& progress);

// GR's status variables grouter has: group_replication_primary_member.
[[nodiscard]] NameValues group_statuses(const metadata::GroupState& state);

// A two-column listing (SHOW STATUS/VARIABLES: Variable_name, Value; performance_schema's
// global_status/global_variables: VARIABLE_NAME, VARIABLE_VALUE).
[[nodiscard]] Table name_value_table(std::string schema, std::string name, std::string name_column,
                                     std::string value_column, const NameValues& rows);

// A one-column listing of text (SHOW DATABASES, SHOW TABLES).
[[nodiscard]] Table list_table(std::string column, const std::vector<std::string>& rows);

// The tables of performance_schema the admin port has.
[[nodiscard]] std::vector<std::string> performance_schema_tables();

}  // namespace grouter::admin
