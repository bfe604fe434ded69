// Member states, roles and versions: spelling, parsing and ordering.
#include "metadata/member.h"

#include <array>
#include <charconv>
#include <utility>

namespace grouter::metadata {
namespace {

constexpr std::array<std::pair<MemberState, std::string_view>, 5> kStateNames = {{
    {MemberState::kOnline, "ONLINE"},
    {MemberState::kRecovering, "RECOVERING"},
    {MemberState::kOffline, "OFFLINE"},
    {MemberState::kError, "ERROR"},
    {MemberState::kUnreachable, "UNREACHABLE"},
}};

constexpr std::array<std::pair<MemberRole, std::string_view>, 3> kRoleNames = {{
    {MemberRole::kPrimary, "PRIMARY"},
    {MemberRole::kSecondary, "SECONDARY"},
    {MemberRole::kNone, ""},
}};

template <typename E, size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& names, E value) {
  for (const auto& [e, name] : names) {
    if (e == value) return name;
  }
  return "?";
}

template <typename E, size_t N>
std::optional<E> value_of(const std::array<std::pair<E, std::string_view>, N>& names,
                          std::string_view text) {
  for (const auto& [e, name] : names) {
    if (name == text) return e;
  }
  return std::nullopt;
}

// Reads a decimal number at the front of `text` and drops it; nullopt without digits.
std::optional<uint32_t> take_number(std::string_view& text) {
  uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return value;
}

bool take_dot(std::string_view& text) {
  if (text.empty() || text.front() != '.') return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::string_view to_string(MemberState state) {
  return name_of(kStateNames, state);
}
std::string_view to_string(MemberRole role) {
  return name_of(kRoleNames, role);
}

std::optional<MemberState> parse_member_state(std::string_view text) {
  return value_of(kStateNames, text);
}

std::optional<MemberRole> parse_member_role(std::string_view text) {
  return value_of(kRoleNames, text);
}

std::optional<Version> parse_version(std::string_view text) {
  if (text.empty()) return Version{};
  std::string_view rest = text;
  // MariaDB prefixes its handshake version with "5.5.5-" for old clients.
  constexpr std::string_view kMariaDbPrefix = "5.5.5-";
  if (rest.starts_with(kMariaDbPrefix)) rest.remove_prefix(kMariaDbPrefix.size());
  Version version;
  version.text = std::string(text);
  const auto major = take_number(rest);
  if (!major || !take_dot(rest)) return std::nullopt;
  const auto minor = take_number(rest);
  if (!minor || !take_dot(rest)) return std::nullopt;
  const auto patch = take_number(rest);
  if (!patch) return std::nullopt;
  if (!rest.empty() && rest.front() != '-') return std::nullopt;
  version.major = *major;
  version.minor = *minor;
  version.patch = *patch;
  version.known = true;
  return version;
}

std::strong_ordering compare_versions(const Version& a, const Version& b) {
  if (a.known != b.known)
    return a.known ? std::strong_ordering::less : std::strong_ordering::greater;
  if (auto c = a.major <=> b.major; c != 0) return c;
  if (auto c = a.minor <=> b.minor; c != 0) return c;
  return a.patch <=> b.patch;
}

}  // namespace grouter::metadata
