// Majorities of a view.
#include "metadata/quorum.h"

#include <algorithm>
#include <set>
#include <vector>

namespace grouter::metadata {

bool has_majority(std::span<const std::string> view, std::span<const std::string> reachable) {
  const std::set<std::string> members(view.begin(), view.end());
  size_t count = 0;
  for (const std::string& id : members) {
    if (std::find(reachable.begin(), reachable.end(), id) != reachable.end()) ++count;
  }
  return count >= majority(members.size());
}

bool has_majority(const GroupState& state) {
  std::vector<std::string> view;
  std::vector<std::string> reachable;
  for (const Member& m : state.members) {
    if (!m.in_view) continue;
    view.push_back(m.member_id);
    if (m.state != MemberState::kUnreachable) reachable.push_back(m.member_id);
  }
  return has_majority(view, reachable);
}

}  // namespace grouter::metadata
