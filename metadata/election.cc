// GR's primary election rule and donor choice.
#include "metadata/election.h"

#include <algorithm>
#include <vector>

namespace grouter::metadata {
namespace {

// True when `a` is preferred to `b` as primary.
bool preferred(const Member& a, const Member& b) {
  if (auto c = compare_versions(a.version, b.version); c != 0) return c < 0;
  if (a.weight != b.weight) return a.weight > b.weight;
  return a.member_id < b.member_id;
}

bool online_in_view(const Member& m) {
  return m.in_view && m.state == MemberState::kOnline;
}

}  // namespace

std::optional<std::string> elect_primary(const GroupState& state) {
  const Member* best = nullptr;
  for (const Member& m : state.members) {
    if (!online_in_view(m)) continue;
    if (best == nullptr || preferred(m, *best)) best = &m;
  }
  if (best == nullptr) return std::nullopt;
  return best->member_id;
}

std::optional<std::string> choose_donor(const GroupState& state, const std::string& joiner_id,
                                        Random& random, std::span<const std::string> tried) {
  const Member* joiner = state.find(joiner_id);
  if (joiner == nullptr) return std::nullopt;
  std::vector<const Member*> candidates;
  for (const Member& m : state.members) {
    if (!online_in_view(m) || m.member_id == joiner_id) continue;
    if (std::find(tried.begin(), tried.end(), m.member_id) != tried.end()) continue;
    if (joiner->version.known && compare_versions(m.version, joiner->version) > 0) continue;
    candidates.push_back(&m);
  }
  if (candidates.empty()) return std::nullopt;
  return candidates[random.next() % candidates.size()]->member_id;
}

}  // namespace grouter::metadata
