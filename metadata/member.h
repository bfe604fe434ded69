// A member of the group as GR shows it in performance_schema.replication_group_members: state and
// role with GR's spelling, the server version and member_weight. Plain values, copied freely.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grouter::metadata {

enum class MemberState { kOnline, kRecovering, kOffline, kError, kUnreachable };
enum class MemberRole { kPrimary, kSecondary, kNone };

// GR's spelling: ONLINE, RECOVERING, OFFLINE, ERROR, UNREACHABLE; PRIMARY, SECONDARY and "" for
// none (the empty MEMBER_ROLE of a member outside the group). Parsing is exact (upper case).
[[nodiscard]] std::string_view to_string(MemberState state);
[[nodiscard]] std::string_view to_string(MemberRole role);
[[nodiscard]] std::optional<MemberState> parse_member_state(std::string_view text);
[[nodiscard]] std::optional<MemberRole> parse_member_role(std::string_view text);

inline constexpr uint32_t kDefaultMemberWeight = 50;
inline constexpr uint32_t kMaxMemberWeight = 100;

// A server version: the text as the server reports it and its major.minor.patch. A version never
// observed is empty text and not `known`.
struct Version {
  std::string text;
  uint32_t major = 0;
  uint32_t minor = 0;
  uint32_t patch = 0;
  bool known = false;

  bool operator==(const Version&) const = default;
};

// Parses "10.11.19", "10.11.19-MariaDB-log", "8.0.36" and MariaDB's handshake form
// "5.5.5-10.11.19-MariaDB". Empty text gives the unknown version; text without three numbers is
// nullopt.
[[nodiscard]] std::optional<Version> parse_version(std::string_view text);

// Orders by major.minor.patch; an unknown version sorts after every known one (it is never the
// "lowest version" the election prefers, and never older than a joiner).
[[nodiscard]] std::strong_ordering compare_versions(const Version& a, const Version& b);

// Distributed recovery of a member in the view (RecoveryStarted, RecoveryFailed, RecoveryPaused):
// what a restarted grouter needs to go on counting attempts and choosing donors.
struct RecoveryRecord {
  std::string donor;   // member_id of the donor of the attempt running; empty between attempts
  std::string target;  // GTID position the donor had executed when the attempt started
  std::string tried;   // comma-separated member_ids of the donors tried in this round
  uint32_t attempts = 0;
  bool every_donor_missing_binlogs = true;
  std::string last_error;
  uint64_t started_at_ms = 0;  // epoch ms: when the attempt running started
  uint64_t paused_at_ms = 0;   // every donor tried: the next round waits from then (0: none)

  bool operator==(const RecoveryRecord&) const = default;
};

struct Member {
  std::string member_id;  // UUID text; empty until the node is first admitted
  std::string name;       // the [storage_node:NAME] section
  std::string host;
  uint16_t port = 0;
  MemberState state = MemberState::kOffline;
  MemberRole role = MemberRole::kNone;
  Version version;
  uint32_t weight = kDefaultMemberWeight;  // 0..100
  std::string state_reason;                // why the member is ERROR or OFFLINE; empty otherwise
  bool in_view = false;
  // The state a member returns to when it is reachable again; meaningful only while UNREACHABLE.
  MemberState state_before_unreachable = MemberState::kOnline;
  // Set while it is RECOVERING (MemberJoined starts it; MemberOnline, leaving the view end it).
  std::optional<RecoveryRecord> recovery;
  // Rejoins that ended in ERROR in a row (recovery gave up) in this term; MemberOnline and
  // TermBegun clear it.
  uint32_t rejoin_failures = 0;
  // ERROR for errant transactions: not rejoined again in this term (TermBegun clears it).
  bool errant = false;
  // The newest writes of its own (a GTID position of its server_id only) the group was found to
  // hold; any newer write of its own while it is a secondary is errant. nullopt: none taken yet.
  std::optional<std::string> own_writes;
  // Stopped by the operator (STOP GROUP_REPLICATION, MemberStopped): OFFLINE and not rejoined
  // until started again (MemberStarted).
  bool stopped = false;
  // member_weight was set by the operator (MemberWeightChanged): the configuration file's no
  // longer applies (MemberAdded keeps it).
  bool weight_set = false;

  bool operator==(const Member&) const = default;
};

}  // namespace grouter::metadata
