// Runtime options of the admin port's SET GLOBAL.
#include "router/admin/admin_options.h"

#include <algorithm>

namespace grouter::admin {
namespace {

struct IntRange {
  std::string_view name;
  std::int64_t min;
  std::int64_t max;
};

constexpr IntRange kIntegers[] = {
    {"member_weight", 0, 100},
    {"member_expel_timeout", 0, 3600},
    {"recovery_retry_count", 0, 31536000},
    {"recovery_reconnect_interval", 0, 31536000},
    {"autorejoin_tries", 0, 2016},
    {"unreachable_majority_timeout", 0, 31536000},
};

constexpr std::string_view kConsistency[] = {"EVENTUAL", "BEFORE_ON_PRIMARY_FAILOVER", "BEFORE",
                                             "AFTER", "BEFORE_AND_AFTER"};
constexpr std::string_view kExitStateAction[] = {"OFFLINE_MODE", "READ_ONLY", "ABORT_SERVER"};

// Variables grouter has but takes from its configuration only.
constexpr std::string_view kConfigured[] = {"group_name",
                                            "single_primary_mode",
                                            "start_on_boot",
                                            "local_address",
                                            "group_seeds",
                                            "communication_stack",
                                            "enforce_update_everywhere_checks"};

std::string upper(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::toupper(c); });
  return out;
}

std::string shown(const Value& v) {
  if (is_null(v)) return "NULL";
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  return std::get<std::string>(v);
}

SqlError wrong_value(std::string_view name, const Value& v, std::string_view expected) {
  return SqlError{1231, "42000",
                  "Variable '" + std::string(name) + "' can't be set to the value of '" + shown(v) +
                      "' (expected " + std::string(expected) + ")"};
}

SqlError wrong_type(std::string_view name) {
  return SqlError{1232, "42000", "Incorrect argument type to variable '" + std::string(name) + "'"};
}

template <std::size_t N>
std::expected<std::string, SqlError> check_enum(std::string_view name, const Value& v,
                                                const std::string_view (&names)[N]) {
  std::string list;
  for (std::string_view n : names) list += (list.empty() ? "" : ", ") + std::string(n);
  if (const auto* index = std::get_if<std::int64_t>(&v)) {
    if (*index >= 0 && static_cast<std::size_t>(*index) < N) return std::string(names[*index]);
    return std::unexpected(wrong_value(name, v, "one of " + list));
  }
  if (!std::holds_alternative<std::string>(v)) return std::unexpected(wrong_type(name));
  const std::string want = upper(std::get<std::string>(v));
  for (std::string_view n : names) {
    if (n == want) return want;
  }
  return std::unexpected(wrong_value(name, v, "one of " + list));
}

std::string runtime_list() {
  std::string list;
  for (const auto& o : runtime_options()) list += (list.empty() ? "" : ", ") + o;
  return list;
}

}  // namespace

const std::vector<std::string>& runtime_options() {
  static const std::vector<std::string> options = {
      "member_weight",        "member_expel_timeout",        "consistency",
      "recovery_retry_count", "recovery_reconnect_interval", "exit_state_action",
      "autorejoin_tries",     "unreachable_majority_timeout"};
  return options;
}

bool is_per_member_option(std::string_view option) {
  return option == "member_weight";
}

std::expected<std::string, SqlError> check_option_value(std::string_view option, const Value& v) {
  const std::string name = std::string(kGroupPrefix) + std::string(option);
  if (option == "consistency") return check_enum(name, v, kConsistency);
  if (option == "exit_state_action") return check_enum(name, v, kExitStateAction);
  for (const IntRange& r : kIntegers) {
    if (r.name != option) continue;
    const auto* n = std::get_if<std::int64_t>(&v);
    if (n == nullptr) return std::unexpected(wrong_type(name));
    if (*n < r.min || *n > r.max) {
      return std::unexpected(wrong_value(
          name, v, "an integer from " + std::to_string(r.min) + " to " + std::to_string(r.max)));
    }
    return std::to_string(*n);
  }
  return std::unexpected(refuse_global(name));
}

std::expected<bool, SqlError> check_boolean(std::string_view name, const Value& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) {
    if (*n == 0 || *n == 1) return *n == 1;
    return std::unexpected(wrong_value(name, v, "ON or OFF"));
  }
  if (!std::holds_alternative<std::string>(v)) return std::unexpected(wrong_type(name));
  const std::string text = upper(std::get<std::string>(v));
  if (text == "ON" || text == "TRUE" || text == "1") return true;
  if (text == "OFF" || text == "FALSE" || text == "0") return false;
  return std::unexpected(wrong_value(name, v, "ON or OFF"));
}

SqlError refuse_global(std::string_view name) {
  const std::string settable = "; SET GLOBAL changes group_replication_ " + runtime_list() +
                               ", force_members and bootstrap_group";
  if (name.starts_with(kGroupPrefix)) {
    const std::string_view option = name.substr(kGroupPrefix.size());
    if (std::ranges::find(kConfigured, option) != std::end(kConfigured)) {
      return SqlError{1238, "HY000",
                      "Variable '" + std::string(name) +
                          "' is a read only variable: grouter reads it from its configuration "
                          "([group_replication] or [storage_node:NAME])" +
                          settable};
    }
    return SqlError{1193, "HY000",
                    "Unknown system variable '" + std::string(name) +
                        "': grouter's group has no such setting" + settable};
  }
  return SqlError{1193, "HY000",
                  "Unknown system variable '" + std::string(name) +
                      "': grouter's admin port sets no global variable but GR's" + settable};
}

}  // namespace grouter::admin
