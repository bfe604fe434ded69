// The group controller's side of deciding: what decide() (decide.h) is given, and what is done
// with what it returns: entries proposed in order, notes logged, the operation started.
#include "metadata/group_controller.h"

#include <algorithm>

#include "metadata/controller_support.h"
#include "metadata/quorum.h"

namespace grouter::metadata {

void GroupController::kick(int64_t delay_ms) {
  if (!step_timer_open_ || stopping_) return;
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&step_timer_)) && delay_ms > 0) return;
  uv_timer_start(
      &step_timer_, [](uv_timer_t* t) { static_cast<GroupController*>(t->data)->step(); },
      static_cast<uint64_t>(std::max<int64_t>(0, delay_ms)), 0);
}

Observations GroupController::observations() const {
  Observations seen;
  for (const auto& node : nodes_) {
    NodeObservation n;
    n.name = node->config.name;
    n.probed = node->probed;
    n.answered = node->answered;
    n.fresh = fresh(*node);
    n.probe_error = node->probe_error;
    n.facts = node->facts;
    n.receiver_failing_since_ms = node->receiver_failing_since_ms;
    seen.nodes.push_back(std::move(n));
  }
  for (const Member& m : state_.members) {
    if (m.member_id.empty() || !detector_.suspected(m.member_id)) continue;
    auto why = suspect_reason_.find(m.member_id);
    seen.suspected[m.member_id] = why != suspect_reason_.end() ? why->second : "";
  }
  seen.expel_due = expel_due_;
  if (switchover_) seen.switchover_to = switchover_->member_id;
  for (const PendingOp& p : pending_stops_) seen.stop_requested.insert(p.member_id);
  if (pending_bootstrap_) seen.bootstrap_with = pending_bootstrap_->member_id;
  seen.no_majority_since_ms = no_majority_since_ms_;
  seen.epoch_ms = epoch_ms();
  return seen;
}

void GroupController::step() {
  if (stopping_) return;
  if (switchover_ && state_.primary == switchover_->member_id) {
    auto done = std::move(switchover_->done);
    switchover_.reset();
    done({});
  }
  answer_pending_ops();  // refused now, or done since
  const int64_t now = epoch_ms();
  InFlight in_flight;
  for (const auto& [id, op] : running_) in_flight.running.push_back(op);
  in_flight.failover_retry_at_ms = failover_retry_at_ms_;
  const Decision d = decide(config_, state_, observations(), in_flight, now, random_);
  say(d.notes);
  for (const Entry& entry : d.entries) {
    if (!propose(entry)) {
      kick(1000);  // the log refused it: decide again on a later state
      return;
    }
  }
  // A bootstrap names the members: the detector watches them from now (already watched: no-op).
  if (!d.entries.empty() && std::holds_alternative<Bootstrap>(d.entries.front())) {
    const int64_t detector_now = monotonic_ms();
    for (const Member& m : state_.members) (void)detector_.track(m.member_id, detector_now);
  }
  answer_pending_ops();
  if (d.wake_at_ms != 0) kick(d.wake_at_ms - now);
  if (d.operation) run_operation(*d.operation);
}

void GroupController::say(const std::vector<Note>& notes) {
  for (const Note& n : notes) {
    if (!n.key.empty()) {
      if (n.text.empty()) {
        said_.erase(n.key);
        continue;
      }
      auto [it, inserted] = said_.emplace(n.key, n.text);
      if (!inserted && (n.sticky || it->second == n.text)) continue;
      it->second = n.text;
    }
    switch (n.level) {
      case Note::Level::kDebug:
        logger_.debug("group: {}", n.text);
        continue;  // not shown to watchers
      case Note::Level::kInfo:
        logger_.info("group: {}", n.text);
        break;
      case Note::Level::kWarning:
        logger_.warning("group: {}", n.text);
        break;
      case Note::Level::kError:
        logger_.error("group: {}", n.text);
        break;
    }
    record(GroupEvent{.kind = n.level == Note::Level::kInfo ? "note" : "warning",
                      .reason = n.text,
                      .text = n.text});
  }
}

void GroupController::record(GroupEvent event) {
  event.time_ms = epoch_ms();
  if (event.view_id.empty()) event.view_id = to_string(state_.view_id);
  events_.add(std::move(event));
}

void GroupController::run_operation(const Operation& op) {
  if (op.term != state_.term) {
    logger_.warning("group: {} not run: decided in term {}, the log is at term {}",
                    op.describe(), op.term, state_.term);
    return;
  }
  Node* node = op.node.empty() ? nullptr : node_by_name(op.node);
  Node* source = op.source.empty() ? nullptr : node_by_name(op.source);
  std::vector<Node*> all;
  for (auto& n : nodes_) all.push_back(n.get());
  const bool needs_node = op.kind != OpKind::kStopReceiving && op.kind != OpKind::kFailOver &&
                          op.kind != OpKind::kSwitchOver;
  const bool needs_source = op.kind == OpKind::kRecover || op.kind == OpKind::kRejoin ||
                            op.kind == OpKind::kFinishRecovery || op.kind == OpKind::kRepoint;
  if ((needs_node && node == nullptr) || (needs_source && source == nullptr)) {
    logger_.error("group: {} names a node that is not configured", op.describe());
    return;
  }
  switch (op.kind) {
    case OpKind::kFormGroup:
      return start_op(op, form_group(node, op.why), {node});
    case OpKind::kFence:
      return start_op(op, fence(node, op.why), {node});
    case OpKind::kStopReceiving: {
      std::vector<Node*> members;
      for (const std::string& name : op.nodes) {
        if (Node* n = node_by_name(name)) members.push_back(n);
      }
      return start_op(op, stop_receiving(members), members);
    }
    case OpKind::kFailOver:
      return start_op(op, fail_over(op.why), all);
    case OpKind::kSwitchOver:
      return start_op(op, switch_over(op.source), all);
    case OpKind::kRecover:
      return start_op(op, start_recovery(node, source), {node});
    case OpKind::kRejoin:
      return start_op(op, rejoin(node, source), {node});
    case OpKind::kFinishRecovery:
      return start_op(op, finish_recovery(node, source, node->config.member_id),
                      {node});
    case OpKind::kRepoint:
      return start_op(op, repoint(node, source), {node});
    case OpKind::kGuardSemiSync:
      return start_op(op, run(node, semi_sync_master_settings()), {node});
  }
}

void GroupController::start_op(const Operation& op, Task<OpResult> task,
                               std::vector<Node*> touched) {
  const uint64_t id = ++last_op_id_;
  running_[id] = op;
  const std::string what = op.describe();
  logger_.debug("group: {}", what);
  const bool receivers = may_start_receivers(op.kind);
  spawn(std::move(task), [this, id, what, receivers, touched = std::move(touched)](OpResult r) {
    running_.erase(id);
    const int64_t now = monotonic_ms();
    for (Node* node : touched) {
      node->settled_ms = now;
      if (receivers) node->replication_changed_ms = now;
      node->receiver_failing_since_ms = 0;  // its replication was changed: counted afresh
    }
    if (stopping_) {
      maybe_closed();
      return;
    }
    for (Node* node : touched) monitor_->probe_now(node->config.name);
    if (!r) {
      ++op_failures_;
      logger_.warning("group: {} failed: {}", what, r.error());
      record(GroupEvent{.kind = "operation_failed", .reason = r.error(), .text = what + " failed"});
      kick(std::min<int64_t>(2000, 200 * op_failures_));
    } else {
      op_failures_ = 0;
      kick();
    }
  });
}

}  // namespace grouter::metadata
