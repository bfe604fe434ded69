// GR's group_replication_* options as SET GLOBAL sees them on grouter's admin port: which change
// at run time (and how their values are checked), which are read-only here (set in grouter's
// configuration), and which GR variables grouter has no use for. Pure.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "router/admin/sql_ast.h"

namespace grouter::admin {

inline constexpr std::string_view kGroupPrefix = "group_replication_";

// The options SET GLOBAL changes at run time, without the prefix: member_weight (per member),
// member_expel_timeout, consistency, recovery_retry_count, recovery_reconnect_interval,
// exit_state_action, autorejoin_tries, unreachable_majority_timeout.
[[nodiscard]] const std::vector<std::string>& runtime_options();
[[nodiscard]] bool is_per_member_option(std::string_view option);

// The value VALUE of runtime OPTION (without the prefix) as GroupService::set_option takes it
// (an integer in decimal, an enum in upper case), or MySQL's 1232 (wrong type) / 1231 (wrong
// value) error.
[[nodiscard]] std::expected<std::string, SqlError> check_option_value(std::string_view option,
                                                                      const Value& value);

// ON/OFF, 1/0, TRUE/FALSE for a boolean variable NAME (full name), or 1231/1232.
[[nodiscard]] std::expected<bool, SqlError> check_boolean(std::string_view name,
                                                          const Value& value);

// Why SET GLOBAL NAME (full name, not a runtime option) is refused: 1238 for the variables grouter
// reads from its configuration, 1193 for everything else; each message names the runtime options.
[[nodiscard]] SqlError refuse_global(std::string_view name);

}  // namespace grouter::admin
