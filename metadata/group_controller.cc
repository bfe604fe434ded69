// The group controller: its state, the group log, monitor input, switchover requests and
// closing. The decisions are in group_controller_decide.cc, the operations (SQL sequences) in
// group_controller_ops.cc, the SQL plumbing in group_controller_sql.cc. See group_controller.h
// for the order of decisions; docs/group-replication.md for the statements and timings.
#include "metadata/group_controller.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "group/local_group_log.h"
#include "metadata/apply.h"
#include "metadata/controller_support.h"
#include "metadata/entry_codec.h"
#include "metadata/member_id.h"
#include "metadata/quorum.h"
#include "metadata/state_codec.h"

namespace grouter::metadata {
namespace {

std::string describe(const Entry& entry) {
  return std::visit(
      [](const auto& e) -> std::string {
        using E = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<E, Bootstrap>) {
          return "bootstrap group " + e.group_name + " with " + std::to_string(e.nodes.size()) +
                 " configured node(s)";
        } else if constexpr (std::is_same_v<E, MemberAdded>) {
          return "member " + e.node.name + " is " + e.node.member_id;
        } else if constexpr (std::is_same_v<E, MemberJoined>) {
          return "member " + e.member_id + " joins (RECOVERING)";
        } else if constexpr (std::is_same_v<E, MemberOnline>) {
          return "member " + e.member_id + " is ONLINE";
        } else if constexpr (std::is_same_v<E, MemberSuspected>) {
          return "member " + e.member_id + " is UNREACHABLE";
        } else if constexpr (std::is_same_v<E, MemberReachable>) {
          return "member " + e.member_id + " is reachable again";
        } else if constexpr (std::is_same_v<E, MemberExpelled>) {
          return "member " + e.member_id + " expelled: " + e.reason;
        } else if constexpr (std::is_same_v<E, MemberLeft>) {
          return "member " + e.member_id + " left: " + e.reason;
        } else if constexpr (std::is_same_v<E, MemberError>) {
          return "member " + e.member_id + " is ERROR: " + e.reason;
        } else if constexpr (std::is_same_v<E, PrimaryElected>) {
          return "primary " + e.member_id.value_or("(none)") + ": " + e.reason;
        } else if constexpr (std::is_same_v<E, MemberVersionObserved>) {
          return "member " + e.member_id + " runs " + e.version;
        } else if constexpr (std::is_same_v<E, OptionChanged>) {
          return "group_replication_" + e.option + " = " + e.value;
        } else if constexpr (std::is_same_v<E, MemberStopped>) {
          return "member " + e.member_id + " stopped (OFFLINE): " + e.reason;
        } else if constexpr (std::is_same_v<E, MemberStarted>) {
          return "member " + e.member_id + " started: it joins through distributed recovery";
        } else if constexpr (std::is_same_v<E, MemberWeightChanged>) {
          return "member " + e.member_id + " weight " + std::to_string(e.weight);
        } else if constexpr (std::is_same_v<E, TermBegun>) {
          return "term " + std::to_string(e.term) + " begins";
        } else if constexpr (std::is_same_v<E, FailoverStarted>) {
          return "failover started (term " + std::to_string(e.term) + ", lost primary " +
                 (e.old_primary.empty() ? std::string("unknown") : e.old_primary) + ")";
        } else if constexpr (std::is_same_v<E, FailoverWaiting>) {
          return e.reason.empty() ? "failover proceeds" : "failover waits: " + e.reason;
        } else if constexpr (std::is_same_v<E, FailoverDecided>) {
          return "failover decided (term " + std::to_string(e.term) + "): " + e.winner +
                 " must hold " + (e.target.empty() ? std::string("(nothing)") : e.target) +
                 (e.may_lose.empty() ? "" : "; may be lost: " + e.may_lose);
        } else if constexpr (std::is_same_v<E, MembersForced>) {
          return "force_members: the view becomes " + e.members;
        } else if constexpr (std::is_same_v<E, RecoveryStarted>) {
          return "member " + e.member_id + " recovers from donor " + e.donor + " up to " +
                 (e.target.empty() ? std::string("(nothing)") : e.target);
        } else if constexpr (std::is_same_v<E, RecoveryFailed>) {
          return "member " + e.member_id + ": recovery attempt failed: " + e.error;
        } else if constexpr (std::is_same_v<E, RecoveryPaused>) {
          return "member " + e.member_id + ": every donor tried; recovery pauses";
        } else {
          return "member " + e.member_id + " wrote " +
                 (e.position.empty() ? std::string("nothing") : e.position) +
                 " itself, all in the group";
        }
      },
      entry);
}

}  // namespace

GroupController::GroupController(uv_loop_t* loop, Logger logger, ControllerConfig config,
                                 PublishState publish)
    : loop_(loop),
      logger_(std::move(logger)),
      file_config_(std::move(config)),
      config_(file_config_),
      publish_(std::move(publish)),
      detector_(config_.detector),
      random_(std::random_device{}() ^ (static_cast<uint64_t>(std::random_device{}()) << 32)) {
  for (const NodeConfig& nc : config_.nodes) {
    auto node = std::make_unique<Node>();
    node->config = nc;
    nodes_.push_back(std::move(node));
  }
  stats_.refresh_interval_ms = config_.detector.probe_interval_ms;
}

GroupController::~GroupController() = default;

std::expected<std::unique_ptr<GroupController>, std::string> GroupController::open(
    uv_loop_t* loop, Logger logger, ControllerConfig config, PublishState publish) {
  std::unique_ptr<GroupController> self(
      new GroupController(loop, logger, std::move(config), std::move(publish)));
  GroupController* raw = self.get();
  std::string replay_error;
  group::ApplyCallbacks callbacks;
  callbacks.restore = [raw, &replay_error](const group::Snapshot& snapshot) {
    auto state = decode_state(snapshot.bytes);
    if (!state) {
      replay_error = "group snapshot: " + state.error();
      return;
    }
    raw->state_ = std::move(*state);
  };
  callbacks.apply = [raw](uint64_t, std::string_view bytes) { raw->on_apply(bytes); };
  auto log = group::LocalGroupLog::open(raw->config_.state_folder, std::move(callbacks), logger);
  if (!log)
    return std::unexpected("group log in " + raw->config_.state_folder + ": " +
                           log.error().message());
  if (!replay_error.empty()) return std::unexpected(replay_error);
  raw->log_ = std::move(*log);
  if (raw->state_.bootstrapped() && raw->state_.group_name != raw->config_.group_name) {
    return std::unexpected("runtime_folder holds group " + raw->state_.group_name +
                           ", but group_name is " + raw->config_.group_name);
  }
  // Storage nodes configured since the group was recorded get their member ids now.
  if (raw->state_.bootstrapped()) {
    for (auto& node : raw->nodes_) {
      const Member* known = nullptr;
      for (const Member& m : raw->state_.members) {
        if (m.name == node->config.name) known = &m;
      }
      if (known != nullptr && !known->member_id.empty() &&
          (known->in_view ||
           (known->host == node->config.host && known->port == node->config.port &&
            (known->weight_set || known->weight == node->config.weight)))) {
        continue;
      }
      NodeConfig added = node->config;
      added.member_id = known != nullptr && !known->member_id.empty()
                            ? known->member_id
                            : make_member_id(raw->random_);
      if (!raw->propose(MemberAdded{added})) {
        return std::unexpected("cannot record storage node " + node->config.name + " in the group");
      }
    }
  }
  // This instance leads from now on: a new term, so that what an earlier run decided is fenced.
  if (raw->state_.bootstrapped() && !raw->propose(TermBegun{raw->state_.term + 1})) {
    return std::unexpected("cannot record a new term in the group log");
  }
  raw->say_overrides();
  raw->publish();
  return self;
}

// ---------------------------------------------------------------------------------------------
// Log and state

void GroupController::on_apply(std::string_view bytes) {
  auto entry = decode_entry(bytes);
  if (!entry) {
    logger_.error("group log: undecodable entry skipped: {}", entry.error());
    return;
  }
  auto next = apply_entry(state_, *entry);
  last_apply_ok_ = next.has_value();
  if (!next) {
    logger_.error("group log: entry rejected ({}): {}", next.error().message(), describe(*entry));
    return;
  }
  state_ = std::move(*next);
  for (auto& node : nodes_) {
    if (const Member* m = member(*node)) node->config.member_id = m->member_id;
  }
  if (std::holds_alternative<OptionChanged>(*entry)) apply_decided_options();
}

bool GroupController::propose(const Entry& entry) {
  const auto view_before = state_.view_id;
  const uint64_t before = log_->last_index();
  auto index = log_->propose(encode(entry));
  if (!index) {
    logger_.error("group: cannot record \"{}\": {}", describe(entry), index.error().message());
    return false;
  }
  if (log_->last_index() == before || !last_apply_ok_) return false;
  if (state_.view_id == view_before) {
    logger_.info("group: {}", describe(entry));
  } else {
    logger_.info("group: view {}: {}", to_string(state_.view_id), describe(entry));
  }
  if (auto event = event_of(entry, state_)) {
    event->text = describe(entry);
    if (const auto why = suspect_reason_.find(event->member_id);
        std::holds_alternative<MemberSuspected>(entry) && why != suspect_reason_.end()) {
      event->reason = why->second;
    }
    record(std::move(*event));
  }
  publish();
  // Entries are rare; keep the log short.
  if (log_->last_index() - log_->snapshot().index >= 1000) {
    if (auto ok = log_->compact(encode(state_), log_->last_index()); !ok) {
      logger_.warning("group log: compaction failed: {}", ok.error().message());
    }
  }
  return true;
}

void GroupController::publish() {
  published_ = std::make_shared<const GroupState>(state_);
  if (publish_) publish_(published_, access());
}

const Member* GroupController::member(const Node& node) const {
  for (const Member& m : state_.members) {
    if (m.name == node.config.name) return &m;
  }
  return nullptr;
}

GroupController::Node* GroupController::node_by_id(const std::string& member_id) {
  for (auto& node : nodes_) {
    if (!member_id.empty() && node->config.member_id == member_id) return node.get();
  }
  return nullptr;
}

GroupController::Node* GroupController::node_by_name(const std::string& name) {
  for (auto& node : nodes_) {
    if (node->config.name == name) return node.get();
  }
  return nullptr;
}

std::vector<MemberProgress> GroupController::member_progress() const {
  const Node* primary = nullptr;
  for (const auto& node : nodes_) {
    if (state_.primary && node->config.member_id == *state_.primary) primary = node.get();
  }
  const int64_t now = monotonic_ms();
  std::vector<MemberProgress> out;
  for (const auto& node : nodes_) {
    MemberProgress p;
    p.name = node->config.name;
    p.member_id = node->config.member_id;
    if (node->facts) {
      const NodeFacts& facts = *node->facts;
      p.probed = true;
      p.probe_age_ms = now - node->facts_started_ms;
      p.executed = facts.current_pos;
      if (facts.replica) p.received = merge_newest(facts.replica->received, facts.current_pos);
      p.applier_queue = facts.replica ? transactions_behind(p.executed, p.received) : 0;
      if (primary && primary->facts && primary != node.get()) {
        p.behind_primary = transactions_behind(p.executed, primary->facts->current_pos);
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

bool GroupController::fresh(const Node& node) const {
  return node.answered && node.facts && node.facts_started_ms >= node.settled_ms;
}

// ---------------------------------------------------------------------------------------------
// Monitor input

void GroupController::start() {
  uv_timer_init(loop_, &step_timer_);
  step_timer_.data = this;
  step_timer_open_ = true;
  const int64_t now = monotonic_ms();
  for (const Member& m : state_.members) {
    if (!m.member_id.empty()) (void)detector_.track(m.member_id, now);
  }
  std::vector<MonitorTarget> targets;
  for (const auto& node : nodes_)
    targets.push_back({node->config.name, node->config.host, node->config.port});
  MonitorOptions options;
  options.user = config_.cluster_user;
  options.password = config_.cluster_password;
  options.interval_ms = config_.detector.probe_interval_ms;
  options.connect_timeout_ms =
      static_cast<uint32_t>(std::max<int64_t>(500, config_.detector.probe_interval_ms * 2));
  options.query_timeout_ms = options.connect_timeout_ms;
  monitor_ = std::make_unique<Monitor>(
      loop_, logger_, options, std::move(targets),
      [this](const std::string& name, const ProbeResult& r) { on_probe(name, r); },
      [this] { on_round(); });
  monitor_->start();
  started_ = true;
  if (state_.bootstrapped()) {
    logger_.info("group: {} view {} restored from {}: {} member(s) in the view, primary {}",
                 state_.group_name, to_string(state_.view_id), config_.state_folder,
                 state_.view_member_ids().size(), state_.primary.value_or("(none)"));
  }
}

void GroupController::on_probe(const std::string& name, const ProbeResult& result) {
  if (stopping_) return;
  Node* node = nullptr;
  for (auto& n : nodes_) {
    if (n->config.name == name) node = n.get();
  }
  if (node == nullptr) return;
  node->probed = true;
  note_death_bounds(*node, result);
  if (result.outcome == ProbeOutcome::kOk && result.facts) {
    node->facts = result.facts;
    node->facts_started_ms = result.started_ms;
    node->receiver_failing_since_ms =
        receiver_failing_since(*node->facts, node->receiver_failing_since_ms, epoch_ms());
    node->answered = true;
    node->probe_error.clear();
    ++stats_.refresh_succeeded;
    stats_.last_refresh_succeeded_epoch_micros = epoch_ms() * 1000;
    stats_.last_refresh_host = node->config.host;
    stats_.last_refresh_port = node->config.port;
  } else {
    node->answered = false;
    node->probe_error = result.outcome == ProbeOutcome::kOk ? result.error : "";
    // The server may have restarted: the next operation opens a new connection.
    if (result.outcome != ProbeOutcome::kOk) node->admin_broken = true;
    ++stats_.refresh_failed;
    if (!result.error.empty()) logger_.debug("group: probe of {}: {}", name, result.error);
  }
  if (!node->config.member_id.empty()) {
    const std::string& id = node->config.member_id;
    if (result.outcome == ProbeOutcome::kRefused) {
      suspect_reason_[id] = "connection refused (the server process is gone)";
    } else if (result.outcome == ProbeOutcome::kFailed) {
      suspect_reason_[id] = "no answer for " +
                            std::to_string(config_.detector.suspicion_timeout_ms) + " ms (" +
                            result.error + ")";
    }
    handle_events(detector_.observe(id, result.outcome, result.finished_ms));
    // The server closed the probe connection (it may have died): ask again at once on a new
    // connection rather than a round later, once in a row.
    if (result.connection_lost && !node->quick_reprobe_done) {
      node->quick_reprobe_done = true;
      after(0, [this, name] {
        if (!stopping_) monitor_->probe_now(name);
      });
    } else if (result.outcome == ProbeOutcome::kOk) {
      node->quick_reprobe_done = false;
    }
    // A refusal is confirmed by a second one, sooner than the next round.
    if (result.outcome == ProbeOutcome::kRefused) {
      after(config_.detector.refused_confirm_ms, [this, name] {
        if (!stopping_) monitor_->probe_now(name);
      });
    }
  }
  kick();
}

void GroupController::note_death_bounds(Node& node, const ProbeResult& result) {
  if (result.outcome == ProbeOutcome::kRefused) {
    if (node.refused_since_ms == 0) node.refused_since_ms = result.started_ms;
    return;
  }
  if (result.outcome != ProbeOutcome::kOk || !result.facts) return;
  node.refused_since_ms = 0;
  const auto& replica = result.facts->replica;
  if (replica && replica->io_running != "No") node.dead_bound.reset();  // receiving again
  // The primary answered: it bounds every node refused before this probe started.
  if (!state_.primary || node.config.member_id != *state_.primary) return;
  for (auto& other : nodes_) {
    if (other.get() == &node || other->refused_since_ms == 0 || other->dead_bound) continue;
    if (result.started_ms > other->refused_since_ms) other->dead_bound = result.facts->current_pos;
  }
}

void GroupController::on_round() {
  if (stopping_) return;
  const int64_t now = monotonic_ms();
  handle_events(detector_.tick(now));
  check_majority(epoch_ms());
}

RouteAccess GroupController::access() const {
  Observations seen;
  seen.no_majority_since_ms = no_majority_since_ms_;
  return route_access(config_, state_, seen, primary_held_, epoch_ms());
}

void GroupController::check_majority(int64_t now_ms) {
  if (!state_.bootstrapped() || state_.view_member_ids().empty()) return;
  if (has_majority(state_)) {
    no_majority_since_ms_ = 0;
  } else if (no_majority_since_ms_ == 0) {
    no_majority_since_ms_ = now_ms;
  }
  const bool applies = exit_state_applies(config_, state_, no_majority_since_ms_, now_ms);
  if (applies == exit_action_applied_) return;
  exit_action_applied_ = applies;  // for the log only: route_access() decides
  publish();
  if (!applies) {
    const std::string back = fmt::format(
        "a majority of view {} is reachable again: routes serve the group again",
        to_string(state_.view_id));
    logger_.info("group: {}", back);
    record(GroupEvent{.kind = "majority_back", .reason = back, .text = back});
    return;
  }
  const char* action = config_.exit_action == ExitAction::kReadOnly ? "READ_ONLY: reads only"
                       : config_.exit_action == ExitAction::kAbortServer
                           ? "ABORT_SERVER: grouter stops"
                           : "OFFLINE_MODE: no traffic";
  const std::string lost = fmt::format(
      "a majority of view {} has been unreachable for {} ms "
      "(unreachable_majority_timeout): exit_state_action={}",
      to_string(state_.view_id), now_ms - no_majority_since_ms_, action);
  logger_.error("group: {}", lost);
  record(GroupEvent{.kind = "majority_lost", .reason = lost, .text = lost});
  if (config_.exit_action == ExitAction::kAbortServer && on_abort_) on_abort_();
}

void GroupController::handle_events(const std::vector<DetectorEvent>& events) {
  // The suspicion itself is re-derived by decide() from the detector; only the expel deadlines
  // that passed are kept here.
  for (const DetectorEvent& event : events) {
    const Member* m = state_.find(event.member_id);
    if (m == nullptr) continue;
    if (event.kind == DetectorEvent::Kind::kRecovered) {
      expel_due_.erase(event.member_id);
    } else if (event.kind == DetectorEvent::Kind::kExpelDue && m->in_view) {
      expel_due_.insert(event.member_id);
    }
  }
  if (!events.empty()) kick();
}

void GroupController::set_as_primary(const std::string& member_id, SwitchoverDone done) {
  using F = SwitchoverFailure;
  const Member* m = state_.find(member_id);
  if (!state_.single_primary_mode) {
    done(std::unexpected(F{F::Kind::kInvalidRequest, "the group is in multi-primary mode"}));
  } else if (m == nullptr) {
    done(std::unexpected(F{F::Kind::kInvalidRequest, "no member " + member_id + " in the group"}));
  } else if (state_.primary == member_id) {
    done({});
  } else if (!m->in_view || m->state != MemberState::kOnline) {
    done(std::unexpected(F{F::Kind::kInvalidRequest, "member " + member_id + " is " +
                                                         std::string(to_string(m->state)) +
                                                         ", not an ONLINE member of the view"}));
  } else if (!state_.primary) {
    done(std::unexpected(F{F::Kind::kUnavailable, "the group has no primary now"}));
  } else if (!has_majority(state_)) {
    done(std::unexpected(F{F::Kind::kUnavailable, "a majority of the view is not reachable"}));
  } else if (switchover_ || stopping_) {
    done(std::unexpected(F{F::Kind::kUnavailable, "another switchover is in progress"}));
  } else {
    logger_.info("group: switchover to {} ({}) requested", m->name, member_id);
    switchover_ = PendingSwitchover{member_id, std::move(done)};
    kick();
  }
}

void GroupController::close(std::function<void()> on_closed) {
  stopping_ = true;
  on_closed_ = std::move(on_closed);
  if (switchover_) {
    auto done = std::move(switchover_->done);
    switchover_.reset();
    done(std::unexpected(
        SwitchoverFailure{SwitchoverFailure::Kind::kUnavailable, "grouter is stopping"}));
  }
  fail_pending_ops("grouter is stopping");
  if (pending_force_) {
    auto done = std::move(pending_force_);
    pending_force_ = nullptr;
    done(std::unexpected(SwitchoverFailure{SwitchoverFailure::Kind::kUnavailable,
                                           "grouter is stopping (the forced view is recorded)"}));
  }
  for (auto& node : nodes_) dispose(std::move(node->admin));
  if (monitor_) {
    ++closing_handles_;
    monitor_->close([this] {
      --closing_handles_;
      maybe_closed();
    });
  }
  if (step_timer_open_) {
    step_timer_open_ = false;
    ++closing_handles_;
    uv_close(reinterpret_cast<uv_handle_t*>(&step_timer_), [](uv_handle_t* h) {
      auto* self = static_cast<GroupController*>(h->data);
      --self->closing_handles_;
      self->maybe_closed();
    });
  }
  maybe_closed();
}

void GroupController::maybe_closed() {
  if (!stopping_ || !running_.empty() || closing_handles_ != 0 || !on_closed_) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  done();
}

}  // namespace grouter::metadata
