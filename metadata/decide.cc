// The group's decisions (decide.h), in the order decide.h gives.
#include "metadata/decide.h"

#include <algorithm>

#include "metadata/apply.h"
#include "metadata/election.h"
#include "metadata/member_id.h"
#include "metadata/member_ops.h"
#include "metadata/quorum.h"

namespace grouter::metadata {

std::string Operation::describe() const {
  switch (kind) {
    case OpKind::kFormGroup:
      return "form the group with " + node + " primary";
    case OpKind::kFence:
      return "fence " + node;
    case OpKind::kStopReceiving: {
      std::string list;
      for (const auto& n : nodes) list += (list.empty() ? "" : ", ") + n;
      return "stop receiving on " + list;
    }
    case OpKind::kFailOver:
      return "fail over";
    case OpKind::kSwitchOver:
      return "switch over to " + source;
    case OpKind::kRecover:
      return "recover " + node + " from " + source;
    case OpKind::kRejoin:
      return "rejoin " + node + " from " + source;
    case OpKind::kFinishRecovery:
      return "finish the recovery of " + node;
    case OpKind::kRepoint:
      return "point " + node + " at " + source;
    case OpKind::kGuardSemiSync:
      return "guard semi-sync on " + node;
  }
  return "operation";
}

bool may_start_receivers(OpKind kind) {
  return kind != OpKind::kFence && kind != OpKind::kStopReceiving &&
         kind != OpKind::kGuardSemiSync;
}

int64_t receiver_failing_since(const NodeFacts& facts, int64_t since_ms, int64_t now_ms) {
  const auto& r = facts.replica;
  if (!r || r->io_running != "Connecting" || r->last_io_errno == 0) return 0;
  return since_ms != 0 ? since_ms : now_ms;
}

namespace {

using Level = Note::Level;

// One configured node: its configuration, its member (null before bootstrap) and what was seen.
struct NodeRef {
  const NodeConfig* config;
  const NodeObservation* seen;
};

class Decider {
 public:
  Decider(const ControllerConfig& config, const GroupState& state, const Observations& seen,
          const InFlight& in_flight, int64_t now_ms, Random& random)
      : config_(config),
        state_(state),
        seen_(seen),
        in_flight_(in_flight),
        now_(now_ms),
        random_(random) {}

  Decision run() {
    if (!in_flight_.running.empty()) {
      start_fencing();
      return std::move(out_);
    }
    if (!state_.bootstrapped()) {
      try_bootstrap();
      if (!state_.bootstrapped()) return std::move(out_);
    }
    observe_suspicion();
    observe_versions();
    expel_due_members();
    if (start_fencing() || start_isolating_primary()) return std::move(out_);
    if (!state_.primary) {
      restore_primary();
      return std::move(out_);
    }
    if (start_switchover()) return std::move(out_);
    stop_requested_members();
    if (check_view_members()) return std::move(out_);
    admit_returning();
    return std::move(out_);
  }

 private:
  // -------------------------------------------------------------------------------------------
  // Plumbing

  bool propose(Entry entry) {
    auto next = apply_entry(state_, entry);
    if (!next) {
      note(Level::kError, "", "not proposed (" + next.error().message() + "): " +
                                  std::string(entry_type(entry)));
      return false;
    }
    state_ = std::move(*next);
    out_.entries.push_back(std::move(entry));
    return true;
  }

  bool start(OpKind kind, const std::string& node, std::string source = "", std::string why = "",
             std::vector<std::string> nodes = {}) {
    Operation op;
    op.kind = kind;
    op.term = state_.term;
    op.node = node;
    op.source = std::move(source);
    op.why = std::move(why);
    op.nodes = std::move(nodes);
    out_.operation = std::move(op);
    return true;
  }

  void note(Level level, std::string key, std::string text, bool sticky = false) {
    out_.notes.push_back(Note{level, std::move(key), std::move(text), sticky});
  }

  void wake_at(int64_t at_ms) {
    if (out_.wake_at_ms == 0 || at_ms < out_.wake_at_ms) out_.wake_at_ms = at_ms;
  }

  std::vector<NodeRef> nodes() const {
    std::vector<NodeRef> refs;
    for (size_t i = 0; i < config_.nodes.size() && i < seen_.nodes.size(); ++i) {
      refs.push_back(NodeRef{&config_.nodes[i], &seen_.nodes[i]});
    }
    return refs;
  }

  const Member* member(const NodeRef& node) const {
    for (const Member& m : state_.members) {
      if (m.name == node.config->name) return &m;
    }
    return nullptr;
  }

  std::optional<NodeRef> by_id(const std::string& member_id) const {
    const Member* m = state_.find(member_id);
    if (m == nullptr) return std::nullopt;
    for (const NodeRef& node : nodes()) {
      if (node.config->name == m->name) return node;
    }
    return std::nullopt;
  }

  std::optional<NodeRef> by_address(const std::string& host, uint16_t port) const {
    for (const NodeRef& node : nodes()) {
      if (node.config->host == host && node.config->port == port) return node;
    }
    return std::nullopt;
  }

  static bool fresh(const NodeRef& node) { return node.seen->fresh && node.seen->facts; }

  static bool replicates_from(const NodeFacts& f, const NodeConfig& source) {
    return f.replica && f.replica->source_host == source.host &&
           f.replica->source_port == source.port;
  }

  bool receiver_cannot_connect(const NodeRef& node) const {
    const int64_t since = node.seen->receiver_failing_since_ms;
    return since != 0 && now_ - since >= config_.detector.suspicion_timeout_ms;
  }

  // -------------------------------------------------------------------------------------------
  // 1. bootstrap

  void try_bootstrap() {
    if (!seen_.bootstrap_with.empty()) {
      bootstrap_on(seen_.bootstrap_with);
      return;
    }
    if (!config_.start_on_boot) {
      note(Level::kInfo, "bootstrap",
           "no group state in " + config_.state_folder +
               " and start_on_boot=OFF: waiting for the operator's bootstrap (SET GLOBAL "
               "group_replication_bootstrap_group=ON; START GROUP_REPLICATION on one member)");
      return;
    }
    if (!config_.bootstrap_group) {
      note(Level::kInfo, "bootstrap",
           "no group state in " + config_.state_folder +
               " and bootstrap_group=OFF: waiting (set bootstrap_group=ON to form the group)");
      return;
    }
    size_t answered = 0;
    for (const NodeRef& node : nodes()) answered += node.seen->answered ? 1 : 0;
    if (answered < majority(config_.nodes.size())) {
      note(Level::kInfo, "bootstrap",
           "waiting for a majority of the storage nodes to answer before bootstrapping (" +
               std::to_string(answered) + " of " + std::to_string(config_.nodes.size()) + ")");
      return;
    }
    (void)record_bootstrap();
  }

  // The operator's bootstrap on NAME, once it answers: the group, and with start_on_boot=OFF the
  // other nodes stopped until each is started.
  void bootstrap_on(const std::string& name) {
    bool answered = false;
    for (const NodeRef& node : nodes()) {
      if (node.config->name == name) answered = node.seen->answered;
    }
    if (!answered) {
      note(Level::kInfo, "bootstrap", "bootstrap on " + name + ": waiting for it to answer");
      return;
    }
    if (!record_bootstrap() || config_.start_on_boot) return;
    for (const Member& m : GroupState(state_).members) {
      if (m.name != name) {
        propose(MemberStopped{m.member_id, "not started (start_on_boot=OFF): START "
                                           "GROUP_REPLICATION joins it"});
      }
    }
  }

  bool record_bootstrap() {
    Bootstrap b;
    b.group_name = config_.group_name;
    b.single_primary_mode = config_.single_primary_mode;
    b.view_fixed = static_cast<uint64_t>(seen_.epoch_ms);
    for (const NodeConfig& node : config_.nodes) {
      NodeConfig nc = node;
      nc.member_id = make_member_id(random_);
      b.nodes.push_back(std::move(nc));
    }
    if (!propose(b)) return false;
    return propose(TermBegun{state_.term + 1});
  }

  // -------------------------------------------------------------------------------------------
  // 2. suspicion and versions

  void observe_suspicion() {
    for (const Member& m : GroupState(state_).members) {
      if (!m.in_view || m.member_id.empty()) continue;
      auto why = seen_.suspected.find(m.member_id);
      if (why != seen_.suspected.end() && m.state != MemberState::kUnreachable) {
        propose(MemberSuspected{m.member_id});
        note(Level::kInfo, "",
             "" + m.name + " (" + m.member_id + ") suspected" +
                 (why->second.empty() ? "" : ": " + why->second));
      } else if (why == seen_.suspected.end() && m.state == MemberState::kUnreachable) {
        // Reachable again (also a suspicion an earlier grouter decided): once it answers.
        auto node = by_id(m.member_id);
        if (node && node->seen->answered) propose(MemberReachable{m.member_id});
      }
    }
  }

  void observe_versions() {
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (m == nullptr || m->member_id.empty() || !node.seen->answered || !node.seen->facts)
        continue;
      if (m->version.text == node.seen->facts->version) continue;
      if (!parse_version(node.seen->facts->version)) continue;
      propose(MemberVersionObserved{m->member_id, node.seen->facts->version});
    }
  }

  // -------------------------------------------------------------------------------------------
  // 3. expel

  void expel_due_members() {
    for (const std::string& id : seen_.expel_due) {
      auto suspected = seen_.suspected.find(id);
      const std::string why = suspected != seen_.suspected.end() ? suspected->second : "";
      const Member* m = state_.find(id);
      if (m == nullptr || !m->in_view || m->state != MemberState::kUnreachable) continue;
      if (!has_majority(state_)) {
        note(Level::kInfo, "quorum",
             "cannot expel " + m->name + ": a majority of the view is not reachable (view " +
                 to_string(state_.view_id) + ")");
        continue;
      }
      const bool was_primary = state_.primary == id;
      propose(MemberExpelled{id, "unreachable: " + why});
      if (was_primary) note(Level::kInfo, "", "the primary was expelled; electing a new one");
    }
  }

  // -------------------------------------------------------------------------------------------
  // 4. fence

  // The nodes the running operations work on or are making writable.
  std::set<std::string> busy_nodes() const {
    std::set<std::string> busy;
    for (const Operation& op : in_flight_.running) {
      if (!op.node.empty()) busy.insert(op.node);
      busy.insert(op.nodes.begin(), op.nodes.end());
      if (op.kind == OpKind::kFailOver && state_.failover && !state_.failover->winner.empty()) {
        if (auto winner = by_id(state_.failover->winner)) busy.insert(winner->config->name);
      }
    }
    return busy;
  }

  bool start_fencing() {
    if (state_.view_member_ids().empty()) return false;  // forming: nobody is primary yet
    const std::set<std::string> busy = busy_nodes();
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (m == nullptr || !fresh(node) || busy.count(node.config->name) != 0) continue;
      const bool is_primary = state_.primary == m->member_id && m->state == MemberState::kOnline;
      if (is_primary) continue;
      const NodeFacts& f = *node.seen->facts;
      if (!f.read_only || f.semi_sync_master_enabled) {
        return start(OpKind::kFence, node.config->name, "",
                     state_.primary ? "it is not the primary of view " + to_string(state_.view_id)
                                    : "the group has no primary");
      }
    }
    return false;
  }

  // -------------------------------------------------------------------------------------------
  // 5. a suspected primary

  // Stop receiving from the suspected primary now, while the expel timer runs: a receiver blocked
  // on a hung primary takes seconds to stop, and once stopped, what each member received is final
  // (a primary that wakes up cannot get a semi-sync acknowledgement from them any more). Writes on
  // a primary that is only slow wait meanwhile; if it comes back, the secondaries are repointed.
  // Re-derived: the members whose receiver from it still runs.
  bool start_isolating_primary() {
    if (!state_.primary || !has_majority(state_)) return false;
    const Member* p = state_.find(*state_.primary);
    if (p == nullptr || p->state != MemberState::kUnreachable) return false;
    auto primary = by_id(p->member_id);
    if (!primary) return false;
    std::vector<std::string> receiving;
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (m == nullptr || !m->in_view || m->state == MemberState::kUnreachable || !fresh(node))
        continue;
      const NodeFacts& f = *node.seen->facts;
      if (replicates_from(f, *primary->config) && f.replica->io_running != "No")
        receiving.push_back(node.config->name);
    }
    if (receiving.empty()) return false;
    note(Level::kInfo, "",
         "the primary " + p->name + " is suspected: the secondaries stop receiving from it");
    return start(OpKind::kStopReceiving, "", "", "the primary " + p->name + " is suspected",
                 std::move(receiving));
  }

  // -------------------------------------------------------------------------------------------
  // 6. no primary

  void restore_primary() {
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
      note(Level::kInfo, "quorum", "no primary and " + why + ": waiting");
      if (state_.failover->waiting != why)
        propose(FailoverWaiting{state_.term, why, unreachable_ids});
      return;
    }
    if (now_ < in_flight_.failover_retry_at_ms) {
      wake_at(in_flight_.failover_retry_at_ms);
      return;
    }
    start(OpKind::kFailOver, "", "",
          "elected: lowest version, highest member_weight, lowest member_id");
  }

  // Forms the group over the nodes that answer and meet the requirements, once a majority of
  // the configured nodes do: keeps the primary they already replicate from, or elects one.
  void form_over_nodes() {
    if (!seen_.bootstrap_with.empty()) {
      form_on(seen_.bootstrap_with);
      return;
    }
    std::vector<NodeRef> candidates;
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (m == nullptr || !fresh(node) || m->errant || m->stopped) continue;
      if (auto unmet = unmet_requirement(*node.seen->facts)) {
        if (m->state != MemberState::kError || m->state_reason != *unmet)
          propose(MemberError{m->member_id, *unmet});
        continue;
      }
      candidates.push_back(node);
    }
    // Every node is heard from (answer, refusal or timeout) before the first primary is chosen,
    // so that the rule sees all the nodes that are up.
    for (const NodeRef& node : nodes()) {
      if (!node.seen->probed) return;
    }
    if (candidates.size() < majority(config_.nodes.size())) {
      note(Level::kInfo, "form",
           "waiting for a majority of the storage nodes to form the group (" +
               std::to_string(candidates.size()) + " of " + std::to_string(config_.nodes.size()) +
               " answer and qualify)");
      return;
    }
    // Nodes that already replicate from one node, consistently: keep it.
    std::set<std::string> sources;
    bool foreign_source = false;
    for (const NodeRef& c : candidates) {
      const auto& r = c.seen->facts->replica;
      if (!r || r->source_host.empty()) continue;
      auto source = by_address(r->source_host, r->source_port);
      if (!source) {
        foreign_source = true;
      } else {
        sources.insert(source->config->name);
      }
    }
    if (sources.size() == 1 && !foreign_source) {
      const std::string& source = *sources.begin();
      auto it = std::find_if(candidates.begin(), candidates.end(),
                             [&](const NodeRef& c) { return c.config->name == source; });
      if (it != candidates.end() &&
          !(it->seen->facts->replica && !it->seen->facts->replica->source_host.empty())) {
        start(OpKind::kFormGroup, source, "", "kept: the other nodes already replicate from it");
        return;
      }
    }
    if (!sources.empty()) {
      note(Level::kWarning, "",
           "the nodes' replication topology is not consistent; electing by the rule "
           "among the most advanced nodes");
    }
    auto primary = elect_most_advanced(candidates);
    if (!primary) return;
    start(OpKind::kFormGroup, *primary, "",
          "elected: lowest version, highest member_weight, lowest member_id among the most "
          "advanced nodes");
  }

  // The operator's bootstrap on NAME: it forms the group alone (started first if it was stopped).
  void form_on(const std::string& name) {
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (node.config->name != name || m == nullptr) continue;
      if (!fresh(node)) {
        note(Level::kInfo, "bootstrap", "bootstrap on " + name + ": waiting for a fresh probe");
        return;
      }
      if (auto unmet = unmet_requirement(*node.seen->facts)) {
        note(Level::kWarning, "bootstrap", "bootstrap on " + name + ": " + *unmet);
        return;
      }
      if (m->stopped && !propose(MemberStarted{m->member_id})) return;
      start(OpKind::kFormGroup, name, "", "bootstrapped by the operator (START GROUP_REPLICATION)");
      return;
    }
  }

  // GR's rule among the nodes whose executed set covers every other's (among all candidates
  // when none does); nullopt when the rule picks nobody.
  std::optional<std::string> elect_most_advanced(const std::vector<NodeRef>& candidates) {
    GroupState trial = state_;
    for (Member& m : trial.members) {
      m.in_view = false;
      m.state = MemberState::kOffline;
    }
    auto stand = [&trial](const NodeRef& c) {
      for (Member& m : trial.members) {
        if (m.name == c.config->name) {
          m.in_view = true;
          m.state = MemberState::kOnline;
        }
      }
    };
    size_t advanced = 0;
    for (const NodeRef& c : candidates) {
      bool covers_all = true;
      for (const NodeRef& o : candidates)
        covers_all = covers_all && covers(c.seen->facts->current_pos, o.seen->facts->current_pos);
      if (!covers_all) continue;
      stand(c);
      ++advanced;
    }
    if (advanced == 0) {
      note(Level::kWarning, "",
           "no node has every other node's transactions; electing among all");
      for (const NodeRef& c : candidates) stand(c);
    }
    auto winner = elect_primary(trial);
    if (!winner) return std::nullopt;
    const Member* m = state_.find(*winner);
    return m != nullptr ? std::optional<std::string>(m->name) : std::nullopt;
  }

  // -------------------------------------------------------------------------------------------
  // 7. switchover

  bool start_switchover() {
    if (!seen_.switchover_to || state_.primary == *seen_.switchover_to) return false;
    auto target = by_id(*seen_.switchover_to);
    return start(OpKind::kSwitchOver, target ? target->config->name : "", *seen_.switchover_to,
                 "set_as_primary");
  }

  // The operator's stops, each checked again on the state as it is now.
  void stop_requested_members() {
    for (const std::string& id : seen_.stop_requested) {
      const Member* m = state_.find(id);
      if (m == nullptr || m->stopped || state_.primary == id) continue;
      auto plan = plan_stop(state_, *m, config_.nodes.size());
      if (!plan) continue;  // the controller answers with the refusal
      propose(MemberStopped{id, "stopped by the operator (STOP GROUP_REPLICATION)"});
    }
  }

  // -------------------------------------------------------------------------------------------
  // 8. members of the view

  bool check_view_members() {
    // The primary first: whether it may write decides what the others should replicate.
    std::vector<NodeRef> order;
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (m != nullptr && state_.primary == m->member_id)
        order.insert(order.begin(), node);
      else
        order.push_back(node);
    }
    for (const NodeRef& node : order) {
      const Member* m = member(node);
      if (m == nullptr || !m->in_view || !fresh(node)) continue;
      const Member copy = *m;  // proposals replace the state m points into
      if (copy.state == MemberState::kRecovering) {
        if (check_recovering(node, copy)) return true;
      } else if (copy.state == MemberState::kOnline) {
        if (check_online(node, copy)) return true;
      }
    }
    return false;
  }

  // The next attempt of a RECOVERING member: a donor not tried in this round, or a pause once
  // every donor was tried.
  bool start_recovery(const NodeRef& node, const Member& m) {
    const RecoveryRecord rec = m.recovery.value_or(RecoveryRecord{});
    if (rec.paused_at_ms != 0 &&
        now_ < static_cast<int64_t>(rec.paused_at_ms) + config_.recovery_reconnect_interval_ms) {
      wake_at(static_cast<int64_t>(rec.paused_at_ms) + config_.recovery_reconnect_interval_ms);
      return false;
    }
    const auto tried = split_ids(rec.tried);
    auto donor_id = choose_donor(state_, m.member_id, random_, tried);
    if (!donor_id && !tried.empty()) {
      note(Level::kInfo, "",
           "recovery of " + node.config->name + ": every donor tried; next round in " +
               std::to_string(config_.recovery_reconnect_interval_ms) + " ms");
      propose(RecoveryPaused{m.member_id, static_cast<uint64_t>(now_)});
      wake_at(now_ + config_.recovery_reconnect_interval_ms);
      return false;
    }
    if (!donor_id) {
      note(Level::kWarning, "donor:" + m.member_id,
           "no ONLINE donor for " + node.config->name);
      return false;
    }
    auto donor = by_id(*donor_id);
    if (!donor) return false;
    return start(OpKind::kRecover, node.config->name, donor->config->name);
  }

  bool check_recovering(const NodeRef& node, const Member& m) {
    if (!m.recovery || m.recovery->donor.empty()) return start_recovery(node, m);
    const RecoveryRecord& rec = *m.recovery;
    const NodeFacts& f = *node.seen->facts;
    const auto donor_node = by_id(rec.donor);
    const bool from_donor = donor_node && replicates_from(f, *donor_node->config);
    const auto target = parse_gtid_position(rec.target).value_or(GtidPosition{});
    if (covers(f.current_pos, target) && from_donor && f.replica->io_yes() &&
        f.replica->sql_running) {
      note(Level::kInfo, "",
           "" + node.config->name + " caught up with donor " + donor_node->config->name +
               " in " + std::to_string(now_ - static_cast<int64_t>(rec.started_at_ms)) + " ms");
      auto primary = state_.primary ? by_id(*state_.primary) : std::nullopt;
      if (primary && primary->config->name != donor_node->config->name) {
        // Recovered from a secondary: replicate from the primary before taking traffic.
        return start(OpKind::kFinishRecovery, node.config->name, primary->config->name);
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
    } else if (receiver_cannot_connect(node)) {
      failure = "error " + std::to_string(f.replica->last_io_errno) +
                " connecting to the donor: " + f.replica->last_io_error;
    }
    if (failure.empty()) return false;
    note(Level::kWarning, "",
         "recovery of " + node.config->name + " from donor " +
             (donor_node ? donor_node->config->name : rec.donor) + " failed (attempt " +
             std::to_string(rec.attempts) + " of " + std::to_string(config_.recovery_retry_count) +
             "): " + failure);
    if (rec.attempts >= config_.recovery_retry_count) {
      std::string reason = "distributed recovery failed after " + std::to_string(rec.attempts) +
                           " attempt(s): " + failure;
      if (rec.every_donor_missing_binlogs && missing_binlogs)
        reason = "no donor has the binary logs it needs: " + failure;
      MemberError error{m.member_id, reason};
      error.recovery_failed = true;
      propose(error);
      return false;
    }
    if (!propose(RecoveryFailed{m.member_id, failure, missing_binlogs})) return false;
    const Member* again = state_.find(m.member_id);
    return again != nullptr && start_recovery(node, *again);
  }

  bool check_online(const NodeRef& node, const Member& m) {
    const NodeFacts& f = *node.seen->facts;
    auto primary = state_.primary ? by_id(*state_.primary) : std::nullopt;
    if (!primary) return false;
    const Member* pm = member(*primary);
    // A suspected primary: the secondaries stopped receiving from it on purpose; leave them so.
    // A provisional primary (EVENTUAL) is still being caught up by its failover.
    if (pm == nullptr || pm->state != MemberState::kOnline || state_.failover) return false;
    const bool several = config_.nodes.size() > 1;
    if (node.config->name == primary->config->name) {
      if (f.read_only || (f.replica && !f.replica->source_host.empty())) {
        // Back read-only or replicating: it restarted (or someone changed it). Crash recovery
        // trims what no replica acknowledged (and sync_binlog=0 may lose more), so made writable
        // again it could reuse the sequence numbers of transactions a member holds, in a relay
        // log no probe shows. It leaves the view and the failover rule, which reads every
        // possible holder, decides who leads (possibly it again).
        if (!view_members_probed()) return true;  // the next probe decides again
        std::string reason = "came back read-only or replicating (restarted?): the failover rule "
                             "decides who leads";
        if (auto ahead = member_ahead_of(state_, seen_, node.config->name))
          reason = "lacks transactions the group has: " + *ahead;
        propose(MemberExpelled{m.member_id, reason});
        return true;
      }
      if (several && (!f.semi_sync_master_enabled || !f.semi_sync_master_guarded())) {
        note(Level::kWarning, "",
             "the primary " + node.config->name +
                 " could fall back to asynchronous replication (rpl_semi_sync_master_enabled " +
                 (f.semi_sync_master_enabled ? "ON" : "OFF") + ", wait_point " +
                 f.semi_sync_wait_point + ", wait_no_slave " +
                 (f.semi_sync_wait_no_slave ? "ON" : "OFF") + ", timeout " +
                 std::to_string(f.semi_sync_master_timeout_ms) + " ms): setting semi-sync again");
        return start(OpKind::kGuardSemiSync, node.config->name);
      }
      if (f.semi_sync_master_enabled && !f.semi_sync_master_active) {
        // Said once, when it is first seen (the count then), until semi-sync is back.
        note(Level::kError, "semisync:" + node.config->name,
             "the primary " + node.config->name +
                 " fell back to asynchronous replication (Rpl_semi_sync_master_status OFF, " +
                 std::to_string(f.semi_sync_master_no_tx) +
                 " commit(s) acknowledged without a replica): they may be on it alone",
             true);
      } else {
        note(Level::kInfo, "semisync:" + node.config->name, "");
      }
      return false;
    }
    // A secondary: replicating from the primary, and nothing written locally. Not while the
    // primary is unknown or not yet writable: whether it stays primary is decided first.
    if (!fresh(*primary) || primary->seen->facts->read_only) return false;
    if (f.replica && !f.replica->sql_running && f.replica->last_sql_errno != 0) {
      propose(MemberError{m.member_id, "replication applier stopped: error " +
                                           std::to_string(f.replica->last_sql_errno) + ": " +
                                           f.replica->last_sql_error});
      return false;
    }
    const bool from_primary = replicates_from(f, *primary->config);
    if (f.replica && f.replica->io_running == "No" && f.replica->last_io_errno != 0 &&
        from_primary) {
      propose(MemberError{m.member_id, "replication receiver stopped: error " +
                                           std::to_string(f.replica->last_io_errno) + ": " +
                                           f.replica->last_io_error});
      return false;
    }
    const GtidPosition own = written_by(f.binlog_pos, f.server_id);
    if (!m.own_writes) {
      propose(OwnWritesRecorded{m.member_id, to_string(own)});
    } else {
      const GtidPosition baseline = parse_gtid_position(*m.own_writes).value_or(GtidPosition{});
      for (const auto& [domain, gtid] : own.domains) {
        auto it = baseline.domains.find(domain);
        if (it == baseline.domains.end() || it->second.seq != gtid.seq) {
          MemberError error{m.member_id, "errant transaction: " + to_string(gtid) +
                                             " was written on this secondary, not replicated "
                                             "from the primary"};
          error.errant = true;
          propose(error);
          return false;
        }
      }
    }
    if (from_primary && receiver_cannot_connect(node)) {
      // Said once: it still serves reads, which grow stale; the primary waits for the others.
      note(Level::kWarning, "receiver:" + node.config->name,
           "" + node.config->name + " cannot receive from the primary " +
               primary->config->name + ": error " + std::to_string(f.replica->last_io_errno) +
               ": " + f.replica->last_io_error,
           true);
    } else {
      note(Level::kInfo, "receiver:" + node.config->name, "");
    }
    if (!from_primary || !f.replicating()) {
      const std::string now_state =
          f.replica ? "replicating from " + f.replica->source_host + ":" +
                          std::to_string(f.replica->source_port) + ", receiver " +
                          f.replica->io_running + ", applier " +
                          (f.replica->sql_running ? "running" : "stopped")
                    : "not replicating";
      note(Level::kInfo, "",
           "" + node.config->name + " must replicate from the primary " +
               primary->config->name + " (" + now_state + ")");
      return start(OpKind::kRepoint, node.config->name, primary->config->name);
    }
    return false;
  }

  // Every member of the view has been heard from (answer, refusal or timeout) since the start.
  bool view_members_probed() const {
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (m != nullptr && m->in_view && !node.seen->probed) return false;
    }
    return true;
  }

  // -------------------------------------------------------------------------------------------
  // 9. nodes outside the view

  bool admit_returning() {
    for (const NodeRef& node : nodes()) {
      const Member* m = member(node);
      if (m == nullptr || m->in_view || m->member_id.empty()) continue;
      const std::string id = m->member_id;
      if (m->stopped) {
        // Out on purpose: what it received stays final (the failover rule counts it a possible
        // holder) and it takes nothing new.
        const auto& r = fresh(node) ? node.seen->facts->replica : std::nullopt;
        if (r && r->io_running != "No") {
          return start(OpKind::kStopReceiving, "", "", node.config->name + " is stopped",
                       {node.config->name});
        }
        continue;
      }
      if (!node.seen->answered && !node.seen->probe_error.empty()) {
        const std::string reason = "cannot probe the node: " + node.seen->probe_error;
        if (m->state != MemberState::kError || m->state_reason != reason)
          propose(MemberError{id, reason});
        continue;
      }
      if (!fresh(node) || m->errant) continue;
      if (auto unmet = unmet_requirement(*node.seen->facts)) {
        if (m->state != MemberState::kError || m->state_reason != *unmet)
          propose(MemberError{id, *unmet});
        continue;
      }
      if (m->state == MemberState::kError && m->rejoin_failures > config_.autorejoin_tries)
        continue;
      auto donor_id = choose_donor(state_, id, random_);
      auto donor = donor_id ? by_id(*donor_id) : std::nullopt;
      if (!donor) continue;
      return start(OpKind::kRejoin, node.config->name, donor->config->name);
    }
    return false;
  }

  const ControllerConfig& config_;
  GroupState state_;
  const Observations& seen_;
  const InFlight& in_flight_;
  const int64_t now_;
  Random& random_;
  Decision out_;
};

}  // namespace

Decision decide(const ControllerConfig& config, const GroupState& state,
                const Observations& observations, const InFlight& in_flight, int64_t now_ms,
                Random& random) {
  return Decider(config, state, observations, in_flight, now_ms, random).run();
}

bool exit_state_applies(const ControllerConfig& config, const GroupState& state,
                        int64_t no_majority_since_ms, int64_t now_ms) {
  const int64_t timeout = config.unreachable_majority_timeout_ms;
  return state.bootstrapped() && no_majority_since_ms != 0 && timeout > 0 &&
         now_ms - no_majority_since_ms >= timeout;
}

RouteAccess route_access(const ControllerConfig& config, const GroupState& state,
                         const Observations& observations, bool switchover_running,
                         int64_t now_ms) {
  if (exit_state_applies(config, state, observations.no_majority_since_ms, now_ms)) {
    return config.exit_action == ExitAction::kReadOnly ? RouteAccess::kNoPrimary
                                                       : RouteAccess::kNone;
  }
  return switchover_running ? RouteAccess::kNoPrimary : RouteAccess::kAll;
}

std::optional<std::string> member_ahead_of(const GroupState& state,
                                           const Observations& observations,
                                           const std::string& primary_name) {
  const NodeFacts* primary = nullptr;
  for (const NodeObservation& n : observations.nodes) {
    if (n.name == primary_name && n.facts) primary = &*n.facts;
  }
  if (primary == nullptr) return std::nullopt;
  for (const NodeObservation& other : observations.nodes) {
    if (other.name == primary_name || !other.fresh || !other.facts) continue;
    const Member* om = nullptr;
    for (const Member& m : state.members) {
      if (m.name == other.name) om = &m;
    }
    if (om == nullptr || !om->in_view) continue;
    GtidPosition held = merge_newest(other.facts->current_pos, other.facts->binlog_pos);
    if (other.facts->replica) held = merge_newest(held, other.facts->replica->received);
    // Only the primary's own transactions: another server's (an errant write) is not its loss.
    for (const auto& [domain, gtid] : held.domains) {
      if (gtid.server_id != primary->server_id) continue;
      auto mine = primary->current_pos.domains.find(domain);
      if (mine == primary->current_pos.domains.end() || mine->second.seq < gtid.seq) {
        return other.name + " holds " + to_string(gtid) + ", it has " +
               to_string(primary->current_pos);
      }
    }
  }
  return std::nullopt;
}

}  // namespace grouter::metadata
