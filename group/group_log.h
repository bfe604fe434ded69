// GroupLog: the decided-entry log of the router group. Every change of the group (join, expel,
// election, state change) is an opaque entry that is proposed, made durable, then applied in index
// order by every instance. LocalGroupLog (local_group_log.h) is the group of one; a Multi-Paxos
// implementation will sit behind the same interface without changing callers.
//
// Threading: a GroupLog is not thread-safe. It is created, called and destroyed on the control
// loop's thread, and it invokes the ApplyCallbacks on that thread, synchronously from inside
// open(), propose() or (later, for remote instances) the loop's network callbacks. It blocks on
// disk I/O (fsync); entries are rare (membership changes), so the control loop can afford it.
//
// Ordering guarantee: `apply` receives (index, bytes) for index = snapshot index + 1, + 2, ...
// strictly in order, with no gaps, each index exactly once per opened log. `restore` receives a
// snapshot whenever the state must be replaced wholesale: once on open if a snapshot exists (before
// any apply), and, with remote instances, when this instance lags so far that it is sent one. An
// entry is durable in this instance's log before it is applied.
//
// Callbacks must not call propose() or compact() (they get GroupLogErrc::kReentrant); they may read
// last_index() and snapshot().
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <string_view>

#include "group/group_log_error.h"

namespace grouter::group {

// Bounds: a larger proposal or snapshot is refused with GroupLogErrc::kEntryTooLarge.
inline constexpr std::size_t kMaxEntryBytes = std::size_t{16} << 20;
inline constexpr std::size_t kMaxSnapshotBytes = std::size_t{256} << 20;

// The state of the group as of `index` (every entry up to and including it), as opaque bytes
// produced by the state machine. index 0 is the empty state before the first entry.
struct Snapshot {
  std::uint64_t index = 0;
  std::string bytes;
};

struct ApplyCallbacks {
  // Replaces the state machine's state with the snapshot. May be empty if the caller never
  // compacts (no snapshot is ever installed then).
  std::function<void(const Snapshot& snapshot)> restore;
  // Applies one decided entry. `entry` is valid only during the call.
  std::function<void(std::uint64_t index, std::string_view entry)> apply;
};

class GroupLog {
 public:
  virtual ~GroupLog() = default;

  // Proposes an entry and returns the index it was given. The entry is applied (through `apply`)
  // only once it is decided and durable: in the group of one that happens before propose()
  // returns; with remote instances later, so callers learn the outcome from `apply`, never from
  // the return value alone.
  [[nodiscard]] virtual std::expected<std::uint64_t, GroupLogError> propose(std::string entry) = 0;

  // Installs `state` as the snapshot covering every entry up to `index` and drops those entries
  // from the log. snapshot().index <= index <= last_index(); `state` must be the state machine's
  // state after applying entry `index`.
  [[nodiscard]] virtual std::expected<void, GroupLogError> compact(std::string state,
                                                                   std::uint64_t index) = 0;

  // The index of the last entry applied (snapshot().index when none follows the snapshot).
  virtual std::uint64_t last_index() const = 0;

  // The latest installed snapshot (index 0 and no bytes when there is none).
  virtual const Snapshot& snapshot() const = 0;
};

}  // namespace grouter::group
