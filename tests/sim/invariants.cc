// The simulator's safety checks (invariants.h).
#include "tests/sim/invariants.h"

namespace grouter::sim {
namespace {

std::string gtid_text(const Gtid& g) {
  return metadata::to_string(g);
}

}  // namespace

std::optional<std::string> InvariantChecker::check(int64_t now_ms) {
  if (auto b = check_writable(now_ms)) return b;
  if (auto b = check_view()) return b;
  if (auto b = check_acked()) return b;
  const std::optional<size_t> p = driver_.primary_index();
  if (p && !cluster_.node(*p).read_only) return check_online(*p);
  return std::nullopt;
}

std::optional<std::string> InvariantChecker::check_writable(int64_t now_ms) {
  size_t count = 0;
  for (size_t i = 0; i < cluster_.size(); ++i) {
    count += driver_.up() && cluster_.reachable(i) && !cluster_.node(i).read_only ? 1 : 0;
  }
  if (count < 2) {
    two_writable_since_ms_.reset();
    return std::nullopt;
  }
  if (!two_writable_since_ms_) two_writable_since_ms_ = now_ms;
  if (now_ms - *two_writable_since_ms_ <= kFenceGraceMs) return std::nullopt;
  std::string writable;
  for (size_t i = 0; i < cluster_.size(); ++i) {
    if (cluster_.reachable(i) && !cluster_.node(i).read_only) {
      writable += (writable.empty() ? "" : ", ") + cluster_.node(i).host;
    }
  }
  return "two members writable and reachable by clients: " + writable + " (since " +
         std::to_string(*two_writable_since_ms_) + " ms)";
}

std::optional<std::string> InvariantChecker::check_view() {
  const metadata::ViewId& v = driver_.state().view_id;
  if (view_fixed_ != 0 && (v.fixed != view_fixed_ || v.seq < view_seq_)) {
    return "view id went from " + std::to_string(view_fixed_) + ":" + std::to_string(view_seq_) +
           " to " + to_string(v);
  }
  view_fixed_ = v.fixed;
  view_seq_ = v.seq;
  return std::nullopt;
}

std::optional<std::string> InvariantChecker::check_acked() {
  const std::optional<size_t> p = driver_.primary_index();
  if (!p || cluster_.node(*p).read_only) {
    checked_primary_.reset();
    return std::nullopt;
  }
  if (checked_primary_ != p) {
    checked_primary_ = p;
    checked_acks_ = 0;
  }
  const NodeModel& primary = cluster_.node(*p);
  const auto& acked = writer_.acked();
  std::optional<std::string> first;
  for (; checked_acks_ < acked.size(); ++checked_acks_) {
    const AckedWrite& a = acked[checked_acks_];
    const Txn* t = primary.find(a.gtid.seq);
    if (t != nullptr && t->gtid == a.gtid && t->write_id == a.id) continue;
    ++lost_;
    if (!first) {
      first = "acknowledged write " + std::to_string(a.id) + " (" + gtid_text(a.gtid) +
              ", acked at " + std::to_string(a.ack_ms) + " ms by " + cluster_.node(a.node).host +
              ") is missing on the primary " + primary.host;
    }
  }
  if (first) *first += " (" + std::to_string(lost_) + " acknowledged writes lost)";
  return first;
}

std::optional<std::string> InvariantChecker::check_online(size_t p) {
  const NodeModel& primary = cluster_.node(p);
  auto key = [](const NodeModel& n) {
    return std::make_pair(n.binlog.size(), n.binlog.empty() ? 0 : n.binlog.back().chain);
  };
  if (key(primary) != primary_checked_) {
    primary_checked_ = key(primary);
    online_checked_.assign(kGrouter, {});
  }
  const metadata::GroupState& state = driver_.state();
  for (size_t j = 0; j < cluster_.size(); ++j) {
    const metadata::Member& m = state.members[j];
    if (j == p || !m.in_view || m.state != metadata::MemberState::kOnline) continue;
    const NodeModel& n = cluster_.node(j);
    if (n.binlog.empty() || online_checked_[j] == key(n)) continue;
    const Txn& last = n.binlog.back();
    const Txn* t = primary.find(last.gtid.seq);
    if (t != nullptr && t->chain == last.chain) {
      online_checked_[j] = key(n);
      continue;
    }
    return "member " + n.host + " is ONLINE holding transactions the group lacks (its last " +
           gtid_text(last.gtid) + "; the primary " + primary.host + " is at " +
           (primary.binlog.empty() ? std::string("nothing")
                                   : gtid_text(primary.binlog.back().gtid)) +
           ")";
  }
  return std::nullopt;
}

}  // namespace grouter::sim
