// GR's runtime options: checks, the decided values over the file's, the variables (group_options.h).
#include "metadata/group_options.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace grouter::metadata {
namespace {

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct IntegerRange {
  std::string_view option;
  uint64_t min;
  uint64_t max;
  std::string_view unit;  // "" or "seconds"
};

constexpr IntegerRange kIntegers[] = {
    {"member_weight", 0, 100, ""},
    {"member_expel_timeout", 0, 3600, "seconds"},
    {"recovery_retry_count", 0, 31536000, ""},
    {"recovery_reconnect_interval", 0, 31536000, "seconds"},
    {"autorejoin_tries", 0, 2016, ""},
    {"unreachable_majority_timeout", 0, 31536000, "seconds"},
};

struct Names {
  std::string_view option;
  std::vector<std::string_view> names;
};

const std::vector<Names>& enumerations() {
  static const std::vector<Names> kNames = {
      {"consistency", {"EVENTUAL", "BEFORE_ON_PRIMARY_FAILOVER", "BEFORE", "AFTER",
                       "BEFORE_AND_AFTER"}},
      {"exit_state_action", {"OFFLINE_MODE", "READ_ONLY", "ABORT_SERVER"}},
  };
  return kNames;
}

// Options GR has that cannot be changed with SET GLOBAL here, and what sets them instead.
struct ReadOnly {
  std::string_view option;
  std::string_view instead;
};
constexpr ReadOnly kReadOnly[] = {
    {"group_name", "it is the group's identity, set in grouter's configuration file"},
    {"single_primary_mode", "only single-primary mode is supported"},
    {"start_on_boot", "it is read at grouter's start from its configuration file"},
    {"bootstrap_group",
     "it takes effect with START GROUP_REPLICATION on the member that bootstraps the group"},
    {"force_members", "it is set through force_members, not as an option"},
    {"enforce_update_everywhere_checks", "only single-primary mode is supported"},
    {"local_address", "grouter keeps the group itself: it has no group-communication address"},
    {"group_seeds", "grouter keeps the group itself: it has no group-communication address"},
};

std::string runtime_list() {
  std::string list;
  for (std::string_view o : kRuntimeOptions) list += (list.empty() ? "" : ", ") + std::string(o);
  return list;
}

std::string range_text(const IntegerRange& r) {
  return std::to_string(r.min) + " to " + std::to_string(r.max) +
         (r.unit.empty() ? "" : " " + std::string(r.unit));
}

int64_t seconds_ms(const std::string& value) {
  return static_cast<int64_t>(std::stoull(value)) * 1000;
}

}  // namespace

std::expected<CheckedOption, std::string> check_option(std::string_view option_in,
                                                      std::string_view value_in) {
  std::string option = lower(option_in);
  if (option.starts_with("group_replication_")) option.erase(0, 18);
  const std::string full = "group_replication_" + option;
  for (const ReadOnly& r : kReadOnly) {
    if (r.option == option)
      return std::unexpected("variable '" + full + "' cannot be changed at run time: " +
                             std::string(r.instead));
  }
  std::string value(value_in);
  if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') &&
      value.back() == value.front())
    value = value.substr(1, value.size() - 2);
  for (const IntegerRange& r : kIntegers) {
    if (r.option != option) continue;
    uint64_t number = 0;
    const char* end = value.data() + value.size();
    auto [ptr, ec] = std::from_chars(value.data(), end, number);
    if (value.empty() || ec == std::errc::invalid_argument || ptr != end) {
      return std::unexpected("incorrect argument type to variable '" + full + "': '" + value +
                             "' is not an integer (" + range_text(r) + ")");
    }
    if (ec == std::errc::result_out_of_range || number < r.min || number > r.max) {
      return std::unexpected("variable '" + full + "' can't be set to the value of '" + value +
                             "': the range is " + range_text(r));
    }
    return CheckedOption{option, std::to_string(number)};
  }
  for (const Names& e : enumerations()) {
    if (e.option != option) continue;
    const std::string name = upper(value);
    std::string list;
    for (std::string_view n : e.names) {
      if (n == name) return CheckedOption{option, name};
      list += (list.empty() ? "" : ", ") + std::string(n);
    }
    return std::unexpected("variable '" + full + "' can't be set to the value of '" + value +
                           "': expected one of " + list);
  }
  return std::unexpected("unknown variable '" + full + "' (the options that change at run time: " +
                         runtime_list() + ")");
}

std::string decided_option(const GroupState& state, std::string_view option) {
  for (const DecidedOption& o : state.options) {
    if (o.name == option) return o.value;
  }
  return "";
}

ControllerConfig with_decided_options(ControllerConfig c, const GroupState& state) {
  for (const DecidedOption& o : state.options) {
    if (!check_option(o.name, o.value)) continue;  // apply_entry() lets none in
    if (o.name == "member_expel_timeout") {
      c.detector.member_expel_timeout_ms = seconds_ms(o.value);
    } else if (o.name == "consistency") {
      c.consistency = o.value;
      c.eventual = o.value == "EVENTUAL";
    } else if (o.name == "recovery_retry_count") {
      c.recovery_retry_count = static_cast<uint32_t>(std::stoul(o.value));
    } else if (o.name == "recovery_reconnect_interval") {
      c.recovery_reconnect_interval_ms = seconds_ms(o.value);
    } else if (o.name == "exit_state_action") {
      c.exit_action = o.value == "READ_ONLY"      ? ExitAction::kReadOnly
                      : o.value == "ABORT_SERVER" ? ExitAction::kAbortServer
                                                  : ExitAction::kOfflineMode;
    } else if (o.name == "autorejoin_tries") {
      c.autorejoin_tries = static_cast<uint32_t>(std::stoul(o.value));
    } else if (o.name == "unreachable_majority_timeout") {
      c.unreachable_majority_timeout_ms = seconds_ms(o.value);
    }
  }
  return c;
}

std::string seconds_text(int64_t ms) {
  if (ms % 1000 == 0) return std::to_string(ms / 1000);
  std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
  while (fraction.back() == '0') fraction.pop_back();
  return std::to_string(ms / 1000) + "." + fraction;
}

std::vector<std::pair<std::string, std::string>> gr_variables(const ControllerConfig& c,
                                                              const GroupState& state,
                                                              const Member* member) {
  auto on_off = [](bool b) { return std::string(b ? "ON" : "OFF"); };
  std::string weight = std::to_string(kDefaultMemberWeight);
  if (member != nullptr) {
    weight = std::to_string(member->weight);
  }
  const char* exit_action = c.exit_action == ExitAction::kReadOnly      ? "READ_ONLY"
                            : c.exit_action == ExitAction::kAbortServer ? "ABORT_SERVER"
                                                                        : "OFFLINE_MODE";
  std::vector<std::pair<std::string, std::string>> v = {
      {"autorejoin_tries", std::to_string(c.autorejoin_tries)},
      {"bootstrap_group", on_off(c.bootstrap_group)},
      {"consistency", c.consistency},
      {"enforce_update_everywhere_checks", "OFF"},
      {"exit_state_action", exit_action},
      {"force_members", ""},
      {"group_name", state.bootstrapped() ? state.group_name : c.group_name},
      {"member_expel_timeout", seconds_text(c.detector.member_expel_timeout_ms)},
      {"member_weight", weight},
      {"recovery_reconnect_interval", seconds_text(c.recovery_reconnect_interval_ms)},
      {"recovery_retry_count", std::to_string(c.recovery_retry_count)},
      {"single_primary_mode", on_off(state.bootstrapped() ? state.single_primary_mode
                                                          : c.single_primary_mode)},
      {"start_on_boot", on_off(c.start_on_boot)},
      {"unreachable_majority_timeout", seconds_text(c.unreachable_majority_timeout_ms)},
  };
  for (auto& [name, value] : v) name = "group_replication_" + name;
  return v;
}

}  // namespace grouter::metadata
