// Group Replication's transaction consistency levels, as routes and sessions use them: where a
// read may run and what a write's OK waits for. GR's names, parsed in any case.
#pragma once

#include <optional>
#include <string_view>

namespace grouter::routing {

enum class Consistency { kEventual, kBeforeOnPrimaryFailover, kBefore, kAfter, kBeforeAndAfter };

std::optional<Consistency> parse_consistency(std::string_view text);
std::string_view to_string(Consistency consistency);

// A read runs on a member only after it applied what the group had committed when it arrived.
constexpr bool waits_before_read(Consistency c) {
  return c == Consistency::kBefore || c == Consistency::kBeforeAndAfter;
}
// A write's OK reaches the client only after every ONLINE member applied it.
constexpr bool waits_after_write(Consistency c) {
  return c == Consistency::kAfter || c == Consistency::kBeforeAndAfter;
}

}  // namespace grouter::routing
