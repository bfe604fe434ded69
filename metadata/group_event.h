// The group's recent events for people watching it (the status page, GET /api/v1/group/events):
// each decided entry worth showing (a suspicion, an expel, an election, a recovery, a failover
// step...) and each note the controller logs, with when, which member, the view after it and why.
// event_of() turns a decided entry into an event; EventHistory keeps the last ones, bounded.
//
// Pure: no I/O, no clock (the caller stamps the time). Not thread-safe: the group controller keeps
// its history on the control loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "metadata/entry.h"
#include "metadata/group_state.h"

namespace grouter::metadata {

struct GroupEvent {
  uint64_t id = 0;       // 1, 2, ... in the order of this run of grouter (EventHistory::add)
  int64_t time_ms = 0;   // epoch ms
  // "suspected", "expelled", "elected", "recovered", ... (event_of); the controller's own:
  // "note" and "warning" (its log lines about the group), "operation_failed", "majority_lost",
  // "majority_back".
  std::string kind;
  std::string member;    // the storage node's name; "" when the event names none
  std::string member_id;
  std::string view_id;   // the view after the event
  std::string reason;    // why, in one line ("" when the entry says nothing more)
  std::string text;      // the log's line for it

  bool operator==(const GroupEvent&) const = default;
};

// The event a decided entry makes, with AFTER the state it led to (for names and the view id):
// kind, member, member_id, view_id and reason; id, time_ms and text are the caller's. nullopt for
// entries that are bookkeeping rather than news (a version observed, own writes recorded).
//
// Kinds: bootstrap, added, joined, recovered (ONLINE after recovery), suspected, reachable,
// expelled, left, error, elected (the member is "" when the group is left without a primary),
// weight, term, failover_started, failover_waiting, failover_proceeds, failover_decided, forced,
// recovery_started, recovery_failed, recovery_paused; an entry type added later gets its log
// encoding's name (entry_type).
[[nodiscard]] std::optional<GroupEvent> event_of(const Entry& entry, const GroupState& after);

class EventHistory {
 public:
  static constexpr std::size_t kDefaultCapacity = 200;

  explicit EventHistory(std::size_t capacity = kDefaultCapacity);

  // Gives EVENT the next id, keeps it (forgetting the oldest past the capacity) and returns it.
  const GroupEvent& add(GroupEvent event);
  // The kept events after AFTER_ID, oldest first. AFTER_ID newer than the last id (a client of an
  // earlier run of grouter) gets every kept event.
  [[nodiscard]] std::vector<GroupEvent> since(uint64_t after_id) const;
  [[nodiscard]] uint64_t last_id() const { return last_id_; }
  [[nodiscard]] std::size_t size() const { return events_.size(); }

 private:
  const std::size_t capacity_;
  std::deque<GroupEvent> events_;  // ids rise by one from front to back
  uint64_t last_id_ = 0;
};

}  // namespace grouter::metadata
