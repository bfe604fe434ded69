// Consistency level names.
#include "routing/consistency.h"

#include "routing/ascii.h"

#include <array>
#include <utility>

namespace grouter::routing {
namespace {

constexpr std::array<std::pair<std::string_view, Consistency>, 5> kNames{{
    {"EVENTUAL", Consistency::kEventual},
    {"BEFORE_ON_PRIMARY_FAILOVER", Consistency::kBeforeOnPrimaryFailover},
    {"BEFORE", Consistency::kBefore},
    {"AFTER", Consistency::kAfter},
    {"BEFORE_AND_AFTER", Consistency::kBeforeAndAfter},
}};

}  // namespace

std::optional<Consistency> parse_consistency(std::string_view text) {
  for (const auto& [name, value] : kNames) {
    if (equal_ignoring_case(text, name)) return value;
  }
  return std::nullopt;
}

std::string_view to_string(Consistency consistency) {
  for (const auto& [name, value] : kNames) {
    if (value == consistency) return name;
  }
  return "?";
}

}  // namespace grouter::routing
