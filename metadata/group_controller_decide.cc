// The group controller's decisions: what step() does each time something changes, in the order
// group_controller.h gives. Each decision either proposes entries or starts one operation.
#include "metadata/group_controller.h"

#include <algorithm>

#include "metadata/controller_support.h"
#include "metadata/election.h"
#include "metadata/member_id.h"
#include "metadata/quorum.h"

namespace grouter::metadata {

void GroupController::kick(int64_t delay_ms) {
  if (!step_timer_open_ || stopping_) return;
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&step_timer_)) && delay_ms > 0) return;
  uv_timer_start(
      &step_timer_, [](uv_timer_t* t) { static_cast<GroupController*>(t->data)->step(); },
      static_cast<uint64_t>(delay_ms), 0);
}

void GroupController::step() {
  if (stopping_ || op_running_) return;
  if (!state_.bootstrapped()) {
    try_bootstrap();
    if (!state_.bootstrapped()) return;
  }
  observe_versions();
  expel_due_members();
  if (start_fencing()) return;
  if (start_isolating_primary()) return;
  if (!state_.primary) {
    restore_primary();
    return;
  }
  if (start_switchover()) return;
  if (check_view_members()) return;
  admit_returning();
}

void GroupController::try_bootstrap() {
  if (!config_.bootstrap_group) {
    log_once("bootstrap", "no group state in " + config_.state_folder +
                              " and bootstrap_group=OFF: waiting (set bootstrap_group=ON to form "
                              "the group)");
    return;
  }
  size_t answered = 0;
  for (const auto& node : nodes_) answered += node->answered ? 1 : 0;
  if (answered < majority(nodes_.size())) {
    log_once("bootstrap",
             "waiting for a majority of the storage nodes to answer before "
             "bootstrapping (" +
                 std::to_string(answered) + " of " + std::to_string(nodes_.size()) + ")");
    return;
  }
  Bootstrap b;
  b.group_name = config_.group_name;
  b.single_primary_mode = config_.single_primary_mode;
  b.view_fixed = static_cast<uint64_t>(epoch_ms());
  for (const auto& node : nodes_) {
    NodeConfig nc = node->config;
    nc.member_id = make_member_id(random_);
    b.nodes.push_back(std::move(nc));
  }
  if (!propose(b)) return;
  (void)propose(TermBegun{state_.term + 1});
  const int64_t now = monotonic_ms();
  for (const Member& m : state_.members) (void)detector_.track(m.member_id, now);
}

void GroupController::observe_versions() {
  for (auto& node : nodes_) {
    const Member* m = member(*node);
    if (m == nullptr || m->member_id.empty() || !node->answered || !node->facts) continue;
    if (m->version.text == node->facts->version) continue;
    if (!parse_version(node->facts->version)) continue;
    propose(MemberVersionObserved{m->member_id, node->facts->version});
  }
}

void GroupController::expel_due_members() {
  for (auto it = expel_due_.begin(); it != expel_due_.end();) {
    const Member* m = state_.find(it->first);
    if (m == nullptr || !m->in_view || m->state != MemberState::kUnreachable) {
      it = expel_due_.erase(it);
      continue;
    }
    if (!has_majority(state_)) {
      log_once("quorum", "cannot expel " + m->name + ": a majority of the view is not reachable (" +
                             "view " + to_string(state_.view_id) + ")");
      ++it;
      continue;
    }
    const bool was_primary = state_.primary == it->first;
    const std::string reason = "unreachable: " + it->second;
    const std::string id = it->first;
    it = expel_due_.erase(it);
    if (Node* node = node_by_id(id)) node->recovery.reset();
    propose(MemberExpelled{id, reason});
    if (was_primary) logger_.info("group: the primary was expelled; electing a new one");
  }
}

bool GroupController::start_fencing() {
  if (state_.view_member_ids().empty()) return false;  // forming: nobody is primary yet
  for (auto& node : nodes_) {
    const Member* m = member(*node);
    if (m == nullptr || !fresh(*node)) continue;
    const bool is_primary = state_.primary == m->member_id && m->state == MemberState::kOnline;
    if (is_primary) continue;
    if (!node->facts->read_only || node->facts->semi_sync_master_enabled) {
      std::string why = state_.primary
                            ? "it is not the primary of view " + to_string(state_.view_id)
                            : "the group has no primary";
      start_op("fence " + node->config.name, fence(node.get(), why), {node.get()});
      return true;
    }
  }
  return false;
}

void GroupController::restore_primary() {
  if (state_.view_member_ids().empty()) {
    form_over_nodes();
    return;
  }
  // The intent first: a failover of this term, recorded before any statement changes a node.
  if (!state_.failover || state_.failover->term < state_.term) {
    const std::string old =
        state_.failover ? state_.failover->old_primary : state_.last_primary.value_or("");
    if (!propose(FailoverStarted{state_.term, old})) return;
  }
  if (!has_majority(state_)) {
    std::string unreachable_names;
    std::string unreachable_ids;
    for (const Member& m : state_.members) {
      if (!m.in_view || m.state != MemberState::kUnreachable) continue;
      unreachable_names += (unreachable_names.empty() ? "" : ", ") + m.name;
      unreachable_ids += (unreachable_ids.empty() ? "" : ",") + m.member_id;
    }
    const std::string why = "a majority of view " + to_string(state_.view_id) +
                            " is not reachable (UNREACHABLE: " + unreachable_names + ")";
    log_once("quorum", "no primary and " + why + ": waiting");
    if (state_.failover->waiting != why)
      propose(FailoverWaiting{state_.term, why, unreachable_ids});
    return;
  }
  const int64_t now = monotonic_ms();
  if (now < failover_retry_at_ms_) {
    kick(failover_retry_at_ms_ - now);
    return;
  }
  std::vector<Node*> touched;
  for (auto& node : nodes_) touched.push_back(node.get());
  start_op("fail over",
           fail_over("elected: lowest version, highest member_weight, lowest member_id"), touched);
}

// Forms the group over the nodes that answer and meet the requirements, once a majority of
// the configured nodes do: keeps the primary they already replicate from, or elects one.
void GroupController::form_over_nodes() {
  std::vector<Node*> candidates;
  for (auto& node : nodes_) {
    const Member* m = member(*node);
    if (m == nullptr || !fresh(*node) || node->no_rejoin) continue;
    if (auto unmet = unmet_requirement(*node->facts)) {
      if (m->state != MemberState::kError || m->state_reason != *unmet) {
        propose(MemberError{m->member_id, *unmet});
      }
      continue;
    }
    candidates.push_back(node.get());
  }
  // Every node is heard from (answer, refusal or timeout) before the first primary is chosen, so
  // that the rule sees all the nodes that are up.
  for (auto& node : nodes_) {
    if (!node->probed) return;
  }
  if (candidates.size() < majority(nodes_.size())) {
    log_once("form", "waiting for a majority of the storage nodes to form the group (" +
                         std::to_string(candidates.size()) + " of " +
                         std::to_string(nodes_.size()) + " answer and qualify)");
    return;
  }
  // Nodes that already replicate from one node, consistently: keep it.
  std::set<Node*> sources;
  bool foreign_source = false;
  for (Node* c : candidates) {
    const auto& r = c->facts->replica;
    if (!r || r->source_host.empty()) continue;
    Node* source = node_by_address(r->source_host, r->source_port);
    if (source == nullptr) {
      foreign_source = true;
    } else {
      sources.insert(source);
    }
  }
  if (sources.size() == 1 && !foreign_source) {
    Node* source = *sources.begin();
    const bool source_ok =
        std::find(candidates.begin(), candidates.end(), source) != candidates.end() &&
        !(source->facts->replica && !source->facts->replica->source_host.empty());
    if (source_ok) {
      start_op("form the group",
               form_group(source, "kept: the other nodes already replicate from it"), {source});
      return;
    }
  }
  if (!sources.empty()) {
    logger_.warning(
        "group: the nodes' replication topology is not consistent; electing by the "
        "rule among the most advanced nodes");
  }
  Node* primary = elect_most_advanced(candidates);
  if (primary == nullptr) return;
  start_op("form the group",
           form_group(primary,
                      "elected: lowest version, highest member_weight, lowest member_id "
                      "among the most advanced nodes"),
           {primary});
}

// GR's rule among the nodes whose executed set covers every other's (among all candidates when
// none does); null when the rule picks nobody.
GroupController::Node* GroupController::elect_most_advanced(const std::vector<Node*>& candidates) {
  GroupState trial = state_;
  for (Member& m : trial.members) {
    m.in_view = false;
    m.state = MemberState::kOffline;
  }
  auto stand = [&trial](const Node* c) {
    for (Member& m : trial.members) {
      if (m.name == c->config.name) {
        m.in_view = true;
        m.state = MemberState::kOnline;
      }
    }
  };
  size_t advanced = 0;
  for (Node* c : candidates) {
    bool covers_all = true;
    for (Node* o : candidates)
      covers_all = covers_all && covers(c->facts->current_pos, o->facts->current_pos);
    if (!covers_all) continue;
    stand(c);
    ++advanced;
  }
  if (advanced == 0) {
    logger_.warning("group: no node has every other node's transactions; electing among all");
    for (Node* c : candidates) stand(c);
  }
  auto winner = elect_primary(trial);
  return winner ? node_by_id(*winner) : nullptr;
}

bool GroupController::start_isolating_primary() {
  if (!state_.primary) return false;
  const Member* p = state_.find(*state_.primary);
  if (p == nullptr || p->state != MemberState::kUnreachable) {
    isolated_primary_.clear();
    return false;
  }
  if (isolated_primary_ == p->member_id || !has_majority(state_)) return false;
  isolated_primary_ = p->member_id;
  // Stop receiving from the suspected primary now, while the expel timer runs: a receiver blocked
  // on a hung primary takes seconds to stop, and once stopped, what each member received is final
  // (a primary that wakes up cannot get a semi-sync acknowledgement from them any more). Writes on
  // a primary that is only slow wait meanwhile; if it comes back, the secondaries are repointed.
  std::vector<Node*> members;
  for (auto& node : nodes_) {
    const Member* m = member(*node);
    if (m != nullptr && m->in_view && m->state != MemberState::kUnreachable)
      members.push_back(node.get());
  }
  logger_.info("group: the primary {} is suspected: the secondaries stop receiving from it",
               p->name);
  start_op("stop receiving from " + p->name, stop_receiving(members), {});
  return true;
}

bool GroupController::start_switchover() {
  if (!switchover_) return false;
  const std::string target = switchover_->member_id;
  if (state_.primary == target) {
    auto done = std::move(switchover_->done);
    switchover_.reset();
    done({});
    return false;
  }
  std::vector<Node*> touched;
  for (auto& node : nodes_) touched.push_back(node.get());
  start_op("switch over to " + target, switch_over(target), touched);
  return true;
}

bool GroupController::check_view_members() {
  // The primary first: whether it may write decides what the others should replicate.
  std::vector<Node*> order;
  for (auto& node : nodes_) {
    if (state_.primary && node->config.member_id == *state_.primary)
      order.insert(order.begin(), node.get());
    else
      order.push_back(node.get());
  }
  for (Node* node : order) {
    const Member* m = member(*node);
    if (m == nullptr || !m->in_view || !fresh(*node)) continue;
    if (m->state == MemberState::kRecovering) {
      if (check_recovering(*node, *m)) return true;
    } else if (m->state == MemberState::kOnline) {
      if (check_online(*node, *m)) return true;
    }
  }
  return false;
}

bool GroupController::check_recovering(Node& node, const Member& m) {
  const int64_t now = monotonic_ms();
  if (node.recovery && node.recovery->pause_until_ms > now) {
    kick(node.recovery->pause_until_ms - now);
    return false;
  }
  if (!node.recovery || node.recovery->donor.empty()) {
    // Not started (grouter restarted, or the last attempt to start was cut short).
    start_op("recover " + node.config.name, start_recovery(&node), {&node});
    return true;
  }
  Recovery& rec = *node.recovery;
  const NodeFacts& f = *node.facts;
  const Node* donor_node = node_by_id(rec.donor);
  const bool from_donor = f.replica && donor_node != nullptr &&
                          f.replica->source_host == donor_node->config.host &&
                          f.replica->source_port == donor_node->config.port;
  if (covers(f.current_pos, rec.target) && from_donor && f.replica->io_yes() &&
      f.replica->sql_running) {
    logger_.info("group: {} caught up with donor {} in {} ms", node.config.name,
                 node_by_id(rec.donor) ? node_by_id(rec.donor)->config.name : rec.donor,
                 now - rec.started_ms);
    node.recovery.reset();
    node.rejoin_failures = 0;
    // own_writes_baseline stays as start_recovery found it, checked against the primary: a write
    // on the node since then is errant.
    Node* primary = state_.primary ? node_by_id(*state_.primary) : nullptr;
    if (primary != nullptr && primary != donor_node) {
      // Recovered from a secondary: replicate from the primary before taking traffic.
      start_op("finish the recovery of " + node.config.name,
               finish_recovery(&node, primary, m.member_id), {&node});
      return true;
    }
    propose(MemberOnline{m.member_id});
    return false;
  }
  const Member* donor = state_.find(rec.donor);
  std::string failure;
  bool missing_binlogs = false;
  if (donor == nullptr || !donor->in_view || donor->state != MemberState::kOnline) {
    failure = "donor " + rec.donor + " left the group";
  } else if (f.replica && f.replica->io_running == "No" && f.replica->last_io_errno != 0) {
    failure = "error " + std::to_string(f.replica->last_io_errno) +
              " receiving from the donor: " + f.replica->last_io_error;
    missing_binlogs = f.replica->last_io_errno == 1236;
  } else if (f.replica && !f.replica->sql_running && f.replica->last_sql_errno != 0) {
    failure = "error " + std::to_string(f.replica->last_sql_errno) +
              " applying: " + f.replica->last_sql_error;
  } else if (!f.replica) {
    failure = "replication from the donor is not configured";
  } else if (receiver_cannot_connect(node, now)) {
    failure = "error " + std::to_string(f.replica->last_io_errno) +
              " connecting to the donor: " + f.replica->last_io_error;
  }
  if (failure.empty()) return false;
  node.receiver_failing_since_ms = 0;
  rec.last_error = failure;
  rec.every_donor_missing_binlogs = rec.every_donor_missing_binlogs && missing_binlogs;
  logger_.warning("group: recovery of {} from donor {} failed (attempt {} of {}): {}",
                  node.config.name, donor_node != nullptr ? donor_node->config.name : rec.donor,
                  rec.attempts, config_.recovery_retry_count, failure);
  if (rec.attempts >= config_.recovery_retry_count) {
    ++node.rejoin_failures;
    std::string reason = "distributed recovery failed after " + std::to_string(rec.attempts) +
                         " attempt(s): " + failure;
    if (rec.every_donor_missing_binlogs)
      reason = "no donor has the binary logs it needs: " + failure;
    node.recovery.reset();
    propose(MemberError{m.member_id, reason});
    return false;
  }
  start_op("recover " + node.config.name + " from another donor", start_recovery(&node), {&node});
  return true;
}

bool GroupController::receiver_cannot_connect(Node& node, int64_t now_ms) {
  const auto& r = node.facts->replica;
  if (!r || r->io_running != "Connecting" || r->last_io_errno == 0) {
    node.receiver_failing_since_ms = 0;
    return false;
  }
  if (node.receiver_failing_since_ms == 0) node.receiver_failing_since_ms = now_ms;
  return now_ms - node.receiver_failing_since_ms >= config_.detector.suspicion_timeout_ms;
}

bool GroupController::view_members_probed() const {
  for (const auto& node : nodes_) {
    const Member* m = member(*node);
    if (m != nullptr && m->in_view && !node->probed) return false;
  }
  return true;
}

std::optional<std::string> GroupController::member_ahead_of(const Node& primary) const {
  for (const auto& other : nodes_) {
    const Member* om = member(*other);
    if (other.get() == &primary || om == nullptr || !om->in_view || !fresh(*other)) continue;
    GtidPosition held = merge_newest(other->facts->current_pos, other->facts->binlog_pos);
    if (other->facts->replica) held = merge_newest(held, other->facts->replica->received);
    // Only the primary's own transactions: another server's (an errant write) is not its loss.
    for (const auto& [domain, gtid] : held.domains) {
      if (gtid.server_id != primary.facts->server_id) continue;
      auto mine = primary.facts->current_pos.domains.find(domain);
      if (mine == primary.facts->current_pos.domains.end() || mine->second.seq < gtid.seq) {
        return other->config.name + " holds " + to_string(gtid) + ", it has " +
               to_string(primary.facts->current_pos);
      }
    }
  }
  return std::nullopt;
}

bool GroupController::check_online(Node& node, const Member& m) {
  const NodeFacts& f = *node.facts;
  Node* primary = state_.primary ? node_by_id(*state_.primary) : nullptr;
  if (primary == nullptr) return false;
  const Member* pm = member(*primary);
  // A suspected primary: the secondaries stopped receiving from it on purpose; leave them so. A
  // provisional primary (EVENTUAL) is still being caught up by its failover.
  if (pm == nullptr || pm->state != MemberState::kOnline || state_.failover) return false;
  if (&node == primary) {
    if (f.read_only || (nodes_.size() > 1 && !f.semi_sync_master_enabled) ||
        (f.replica && !f.replica->source_host.empty())) {
      // A primary that lost transactions a member holds (it restarted: crash recovery trims what
      // no replica acknowledged, and sync_binlog=0 may lose more) must not write again: it would
      // reuse their sequence numbers. It leaves the view; the failover rule takes over.
      if (!view_members_probed()) return true;  // the next probe kicks
      if (auto ahead = member_ahead_of(node)) {
        propose(MemberExpelled{m.member_id, "lacks transactions the group has: " + *ahead});
        return true;
      }
      start_op("make primary " + node.config.name + " writable", make_writable(&node), {&node});
      return true;
    }
    if (nodes_.size() > 1 && !f.semi_sync_master_guarded()) {
      logger_.warning(
          "group: the primary {} could fall back to asynchronous replication "
          "(rpl_semi_sync_master_wait_point {}, wait_no_slave {}, timeout {} ms): "
          "setting semi-sync again",
          node.config.name, f.semi_sync_wait_point, f.semi_sync_wait_no_slave ? "ON" : "OFF",
          f.semi_sync_master_timeout_ms);
      start_op("guard semi-sync on " + node.config.name, run(&node, semi_sync_master_settings()),
               {&node});
      return true;
    }
    if (f.semi_sync_master_enabled && !f.semi_sync_master_active) {
      // Said once, when it is first seen (the count then), until semi-sync is back.
      if (said_.emplace("semisync:" + node.config.name, "").second) {
        logger_.error(
            "group: the primary {} fell back to asynchronous replication "
            "(Rpl_semi_sync_master_status OFF, {} commit(s) acknowledged without a replica): they "
            "may be on it alone",
            node.config.name, f.semi_sync_master_no_tx);
      }
    } else {
      said_.erase("semisync:" + node.config.name);
    }
    return false;
  }
  // A secondary: replicating from the primary, and nothing written locally. Not while the primary
  // is unknown or not yet writable: whether it stays primary is decided first.
  if (!fresh(*primary) || primary->facts->read_only) return false;
  if (f.replica && !f.replica->sql_running && f.replica->last_sql_errno != 0) {
    propose(MemberError{m.member_id, "replication applier stopped: error " +
                                         std::to_string(f.replica->last_sql_errno) + ": " +
                                         f.replica->last_sql_error});
    return false;
  }
  if (f.replica && f.replica->io_running == "No" && f.replica->last_io_errno != 0 &&
      f.replica->source_host == primary->config.host &&
      f.replica->source_port == primary->config.port) {
    propose(MemberError{m.member_id, "replication receiver stopped: error " +
                                         std::to_string(f.replica->last_io_errno) + ": " +
                                         f.replica->last_io_error});
    return false;
  }
  const auto own = own_writes(f.binlog_pos, f.server_id);
  if (!node.own_writes_baseline) {
    node.own_writes_baseline = own;
  } else {
    for (const auto& [domain, seq] : own) {
      auto it = node.own_writes_baseline->find(domain);
      if (it == node.own_writes_baseline->end() || it->second != seq) {
        propose(MemberError{m.member_id,
                            "errant transaction: " + std::to_string(domain) + "-" +
                                std::to_string(f.server_id) + "-" + std::to_string(seq) +
                                " was written on this secondary, not replicated from the primary"});
        node.no_rejoin = true;
        return false;
      }
    }
  }
  const bool from_primary = f.replica && f.replica->source_host == primary->config.host &&
                            f.replica->source_port == primary->config.port;
  if (from_primary && receiver_cannot_connect(node, monotonic_ms())) {
    // Said once: it still serves reads, which grow stale; the primary waits for the others.
    if (said_.emplace("receiver:" + node.config.name, "").second) {
      logger_.warning("group: {} cannot receive from the primary {}: error {}: {}",
                      node.config.name, primary->config.name, f.replica->last_io_errno,
                      f.replica->last_io_error);
    }
  } else {
    said_.erase("receiver:" + node.config.name);
  }
  if (!from_primary || !f.replicating()) {
    const std::string now_state = f.replica
                                      ? "replicating from " + f.replica->source_host + ":" +
                                            std::to_string(f.replica->source_port) + ", receiver " +
                                            f.replica->io_running + ", applier " +
                                            (f.replica->sql_running ? "running" : "stopped")
                                      : "not replicating";
    logger_.info("group: {} must replicate from the primary {} ({})", node.config.name,
                 primary->config.name, now_state);
    start_op("point " + node.config.name + " at the primary", repoint(&node, primary), {&node});
    return true;
  }
  return false;
}

bool GroupController::admit_returning() {
  for (auto& node : nodes_) {
    const Member* m = member(*node);
    if (m == nullptr || m->in_view || m->member_id.empty()) continue;
    if (!node->answered && !node->probe_error.empty()) {
      const std::string reason = "cannot probe the node: " + node->probe_error;
      if (m->state != MemberState::kError || m->state_reason != reason)
        propose(MemberError{m->member_id, reason});
      continue;
    }
    if (!fresh(*node) || node->no_rejoin) continue;
    if (auto unmet = unmet_requirement(*node->facts)) {
      if (m->state != MemberState::kError || m->state_reason != *unmet) {
        propose(MemberError{m->member_id, *unmet});
      }
      continue;
    }
    if (m->state == MemberState::kError && node->rejoin_failures > config_.autorejoin_tries)
      continue;
    start_op("rejoin " + node->config.name, rejoin(node.get()), {node.get()});
    return true;
  }
  return false;
}

void GroupController::start_op(std::string what, Task<OpResult> task, std::vector<Node*> touched) {
  op_running_ = true;
  logger_.debug("group: {}", what);
  spawn(std::move(task), [this, what = std::move(what), touched = std::move(touched)](OpResult r) {
    op_running_ = false;
    const int64_t now = monotonic_ms();
    for (Node* node : touched) node->settled_ms = now;
    if (stopping_) {
      maybe_closed();
      return;
    }
    for (Node* node : touched) monitor_->probe_now(node->config.name);
    if (!r) {
      ++op_failures_;
      logger_.warning("group: {} failed: {}", what, r.error());
      kick(std::min<int64_t>(2000, 200 * op_failures_));
    } else {
      op_failures_ = 0;
      kick();
    }
  });
}

}  // namespace grouter::metadata
