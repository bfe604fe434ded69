// event_of(): which entries are events, and their kind, member and reason; EventHistory's ring.
#include "metadata/group_event.h"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

namespace grouter::metadata {
namespace {

struct What {
  std::string kind;
  std::string member_id;
  std::string reason;
};

// A member's name in STATE, else its member_id.
std::string name_of(const GroupState& state, const std::string& member_id) {
  const Member* m = state.find(member_id);
  return m != nullptr && !m->name.empty() ? m->name : member_id;
}

// nullopt: the entry is no event to show.
std::optional<What> what_of(const Entry& entry, const GroupState& after) {
  return std::visit(
      [&](const auto& e) -> std::optional<What> {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Bootstrap>) {
          return What{"bootstrap", "", "group " + e.group_name + " formed"};
        } else if constexpr (std::is_same_v<E, MemberAdded>) {
          return What{"added", e.node.member_id, ""};
        } else if constexpr (std::is_same_v<E, MemberJoined>) {
          return What{"joined", e.member_id, "joins the view as RECOVERING"};
        } else if constexpr (std::is_same_v<E, MemberOnline>) {
          return What{"recovered", e.member_id, "caught up: ONLINE"};
        } else if constexpr (std::is_same_v<E, MemberSuspected>) {
          return What{"suspected", e.member_id, ""};
        } else if constexpr (std::is_same_v<E, MemberReachable>) {
          return What{"reachable", e.member_id, "answers probes again"};
        } else if constexpr (std::is_same_v<E, MemberExpelled>) {
          return What{"expelled", e.member_id, e.reason};
        } else if constexpr (std::is_same_v<E, MemberLeft>) {
          return What{"left", e.member_id, e.reason};
        } else if constexpr (std::is_same_v<E, MemberError>) {
          return What{"error", e.member_id, e.reason};
        } else if constexpr (std::is_same_v<E, PrimaryElected>) {
          return What{"elected", e.member_id.value_or(""), e.reason};
        } else if constexpr (std::is_same_v<E, MemberWeightChanged>) {
          return What{"weight", e.member_id, "member_weight " + std::to_string(e.weight)};
        } else if constexpr (std::is_same_v<E, OptionChanged>) {
          return What{"option", "", "group_replication_" + e.option + " = " + e.value};
        } else if constexpr (std::is_same_v<E, MemberStopped>) {
          return What{"stopped", e.member_id, e.reason};
        } else if constexpr (std::is_same_v<E, MemberStarted>) {
          return What{"started", e.member_id, "joins through distributed recovery"};
        } else if constexpr (std::is_same_v<E, TermBegun>) {
          return What{"term", "", "term " + std::to_string(e.term) + " begins"};
        } else if constexpr (std::is_same_v<E, FailoverStarted>) {
          return What{"failover_started", e.old_primary, "the primary was lost"};
        } else if constexpr (std::is_same_v<E, FailoverWaiting>) {
          if (e.reason.empty()) return What{"failover_proceeds", "", ""};
          return What{"failover_waiting", "", e.reason};
        } else if constexpr (std::is_same_v<E, FailoverDecided>) {
          return What{"failover_decided", e.winner,
                      "it must hold " +
                          (e.target.empty() ? std::string("nothing more") : e.target) +
                          (e.may_lose.empty() ? "" : "; may be lost: " + e.may_lose)};
        } else if constexpr (std::is_same_v<E, MembersForced>) {
          return What{"forced", "", "the view becomes " + e.members};
        } else if constexpr (std::is_same_v<E, RecoveryStarted>) {
          return What{"recovery_started", e.member_id, "from donor " + name_of(after, e.donor)};
        } else if constexpr (std::is_same_v<E, RecoveryFailed>) {
          return What{"recovery_failed", e.member_id, e.error};
        } else if constexpr (std::is_same_v<E, RecoveryPaused>) {
          return What{"recovery_paused", e.member_id, "every donor tried"};
        } else if constexpr (std::is_same_v<E, MemberVersionObserved> ||
                             std::is_same_v<E, OwnWritesRecorded>) {
          return std::nullopt;
        } else {
          return What{std::string(entry_type(entry)), "", ""};
        }
      },
      entry);
}

}  // namespace

std::optional<GroupEvent> event_of(const Entry& entry, const GroupState& after) {
  std::optional<What> what = what_of(entry, after);
  if (!what) return std::nullopt;
  GroupEvent event;
  event.kind = std::move(what->kind);
  event.member_id = std::move(what->member_id);
  event.reason = std::move(what->reason);
  event.view_id = to_string(after.view_id);
  if (const auto* added = std::get_if<MemberAdded>(&entry)) {
    event.member = added->node.name;
  } else if (const Member* m = after.find(event.member_id); m != nullptr) {
    event.member = m->name;
  }
  return event;
}

EventHistory::EventHistory(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

const GroupEvent& EventHistory::add(GroupEvent event) {
  event.id = ++last_id_;
  if (events_.size() == capacity_) events_.pop_front();
  events_.push_back(std::move(event));
  return events_.back();
}

std::vector<GroupEvent> EventHistory::since(uint64_t after_id) const {
  if (after_id > last_id_ || events_.empty()) return {events_.begin(), events_.end()};
  const uint64_t first = events_.front().id;
  const std::size_t skip = after_id < first ? 0 : static_cast<std::size_t>(after_id - first + 1);
  return {events_.begin() + static_cast<std::ptrdiff_t>(skip), events_.end()};
}

}  // namespace grouter::metadata
