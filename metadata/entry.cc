// Entry type names, shared by the log encoding and the decision log lines.
#include "metadata/entry.h"

#include <array>

namespace grouter::metadata {
namespace {

// In the order of the Entry variant's alternatives.
constexpr std::array<std::string_view, std::variant_size_v<Entry>> kEntryTypes = {
    "bootstrap",        "member_added",     "member_joined",           "member_online",
    "member_suspected", "member_reachable", "member_expelled",         "member_left",
    "member_error",     "primary_elected",  "member_version_observed", "member_weight_changed",
    "term_begun",       "failover_started", "failover_waiting",        "failover_decided",
    "members_forced",   "recovery_started", "recovery_failed",         "recovery_paused",
    "own_writes_recorded", "option_changed",   "member_stopped",          "member_started",
};

}  // namespace

std::string_view entry_type(const Entry& entry) {
  return kEntryTypes[entry.index()];
}

}  // namespace grouter::metadata
