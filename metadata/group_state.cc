// Group state: view ids, look-ups and the invariants every decided state satisfies.
#include "metadata/group_state.h"

#include <charconv>
#include <set>

namespace grouter::metadata {
namespace {

std::optional<uint64_t> parse_u64(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool primary_state_ok(const Member& m) {
  return m.state == MemberState::kOnline || (m.state == MemberState::kUnreachable &&
                                             m.state_before_unreachable == MemberState::kOnline);
}

std::expected<void, std::string> check_member(const GroupState& state, const Member& m) {
  const bool view_state = m.state == MemberState::kOnline || m.state == MemberState::kRecovering ||
                          m.state == MemberState::kUnreachable;
  if (m.in_view != view_state) {
    return std::unexpected("member " + m.name + " is " + std::string(to_string(m.state)) +
                           (m.in_view ? " inside" : " outside") + " the view");
  }
  if (m.in_view && m.member_id.empty()) {
    return std::unexpected("member " + m.name + " is in the view without a member_id");
  }
  if (m.state == MemberState::kUnreachable && m.state_before_unreachable != MemberState::kOnline &&
      m.state_before_unreachable != MemberState::kRecovering) {
    return std::unexpected("member " + m.name +
                           " was neither ONLINE nor RECOVERING before UNREACHABLE");
  }
  if (m.weight > kMaxMemberWeight) return std::unexpected("member " + m.name + " has weight > 100");
  if (m.stopped && (m.in_view || m.state != MemberState::kOffline)) {
    return std::unexpected("member " + m.name + " is stopped but " +
                           std::string(to_string(m.state)));
  }
  if (m.role != derived_role(state, m)) {
    return std::unexpected("member " + m.name + " has role " + std::string(to_string(m.role)));
  }
  return {};
}

}  // namespace

std::string to_string(const ViewId& view_id) {
  return std::to_string(view_id.fixed) + ":" + std::to_string(view_id.seq);
}

std::optional<ViewId> parse_view_id(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const auto fixed = parse_u64(text.substr(0, colon));
  const auto seq = parse_u64(text.substr(colon + 1));
  if (!fixed || !seq) return std::nullopt;
  return ViewId{*fixed, *seq};
}

const Member* GroupState::find(std::string_view member_id) const {
  if (member_id.empty()) return nullptr;
  for (const Member& m : members) {
    if (m.member_id == member_id) return &m;
  }
  return nullptr;
}

Member* GroupState::find(std::string_view member_id) {
  return const_cast<Member*>(static_cast<const GroupState&>(*this).find(member_id));
}

std::vector<std::string> GroupState::view_member_ids() const {
  std::vector<std::string> ids;
  for (const Member& m : members) {
    if (m.in_view) ids.push_back(m.member_id);
  }
  return ids;
}

MemberRole derived_role(const GroupState& state, const Member& member) {
  if (!member.in_view) return MemberRole::kNone;
  if (state.single_primary_mode) {
    return state.primary == member.member_id ? MemberRole::kPrimary : MemberRole::kSecondary;
  }
  return member.state == MemberState::kOnline ? MemberRole::kPrimary : MemberRole::kSecondary;
}

std::expected<void, std::string> check_invariants(const GroupState& state) {
  if (state.members.size() > kMaxGroupMembers) return std::unexpected("more than 9 members");
  std::set<std::string> names;
  std::set<std::string> ids;
  for (const Member& m : state.members) {
    if (!names.insert(m.name).second) return std::unexpected("name " + m.name + " used twice");
    if (!m.member_id.empty() && !ids.insert(m.member_id).second) {
      return std::unexpected("member_id " + m.member_id + " used twice");
    }
    if (auto ok = check_member(state, m); !ok) return ok;
  }
  if (!state.primary) return {};
  if (!state.single_primary_mode) return std::unexpected("a primary in multi-primary mode");
  const Member* primary = state.find(*state.primary);
  if (primary == nullptr || !primary->in_view || !primary_state_ok(*primary)) {
    return std::unexpected("primary " + *state.primary + " is not an ONLINE member of the view");
  }
  return {};
}

std::vector<std::string> split_ids(std::string_view text) {
  std::vector<std::string> ids;
  size_t start = 0;
  while (start < text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    ids.emplace_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return ids;
}

std::string join_ids(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

}  // namespace grouter::metadata
