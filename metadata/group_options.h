// Group Replication's options that the operator may change at run time (SET GLOBAL
// group_replication_<option> = value), pure: the check of a value against GR's names, units and
// ranges, the controller's settings with the decided values applied over the configuration
// file's, and the group_replication_* variables as GR shows them. No I/O.
//
// Decided values (OptionChanged entries, recorded in GroupState::options) win over the
// configuration file's at every start: the file gives the first values, the group log the later.
// Values are kept in GR's canonical text: integers in decimal (seconds for the timeouts and
// intervals, as GR counts them), names upper case (consistency, exit_state_action).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "metadata/decide.h"
#include "metadata/group_state.h"

namespace grouter::metadata {

// The runtime options, GR's names without the group_replication_ prefix, in the order
// set_option's errors list them. member_weight is per member (MemberWeightChanged); the others
// are the group's (OptionChanged).
inline constexpr std::string_view kRuntimeOptions[] = {
    "member_weight",        "member_expel_timeout",        "consistency",
    "recovery_retry_count", "recovery_reconnect_interval", "exit_state_action",
    "autorejoin_tries",     "unreachable_majority_timeout",
};

// OPTION (GR's name without the prefix, any case) with VALUE (SQL text, unquoted; names in any
// case; the enumerations also by their number as MySQL accepts them): the option's canonical name
// and value, or one line naming what is wrong: an unknown option (listing the runtime ones), a
// read-only one (what sets it instead), a value of the wrong type or out of GR's range (the
// range).
struct CheckedOption {
  std::string option;
  std::string value;
};
[[nodiscard]] std::expected<CheckedOption, std::string> check_option(std::string_view option,
                                                                    std::string_view value);

// BASE (the configuration file's settings) with the decided options of STATE applied.
[[nodiscard]] ControllerConfig with_decided_options(ControllerConfig base, const GroupState& state);

// The decided value of OPTION in STATE, or "" when the file's applies.
[[nodiscard]] std::string decided_option(const GroupState& state, std::string_view option);

// Every group_replication_* variable as GR shows it for MEMBER (null: the group's values only,
// member_weight from the configured node), by name: decided values where there are, the file's
// otherwise. CONFIG is the effective one (with_decided_options). Secrets are never included.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> gr_variables(
    const ControllerConfig& config, const GroupState& state, const Member* member);

// "5", "0.5": milliseconds as GR's seconds.
[[nodiscard]] std::string seconds_text(int64_t ms);

}  // namespace grouter::metadata
