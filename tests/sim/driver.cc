// The simulated group controller (driver.h): probe rounds, the failure detector, decide() and the
// operations it gives.
#include "tests/sim/driver.h"

#include <memory>
#include <utility>

#include "metadata/apply.h"
#include "metadata/quorum.h"

namespace grouter::sim {

using metadata::MemberState;
using metadata::OpKind;

Driver::Driver(Scheduler& scheduler, Cluster& cluster, NodeOps& ops, DriverOptions options,
               const Trace& trace)
    : scheduler_(scheduler),
      cluster_(cluster),
      ops_(ops),
      options_(options),
      trace_(trace),
      random_(options.seed),
      suspect_reason_(cluster.size()),
      last_facts_(cluster.size()),
      facts_before_loss_(cluster.size()),
      facts_started_ms_(cluster.size(), 0),
      facts_before_loss_started_ms_(cluster.size(), 0),
      refused_round_(cluster.size(), 0),
      dead_bound_(cluster.size()),
      receiver_failing_since_ms_(cluster.size(), 0),
      settled_ms_(cluster.size(), 0),
      replication_changed_ms_(cluster.size(), 0) {}

std::string Driver::member_id(size_t i) {
  return "00000000-0000-4000-8000-" + std::string(11, '0') + std::to_string(i + 1);
}

std::optional<size_t> Driver::index_of(const std::string& id) const {
  // member_id(i) ends in the digit i + 1 (at most 9 nodes).
  if (id.size() != 36 || id.back() < '1' || id.back() > '9') return std::nullopt;
  const size_t i = static_cast<size_t>(id.back() - '1');
  return i < cluster_.size() && id == member_id(i) ? std::optional<size_t>(i) : std::nullopt;
}

std::optional<size_t> Driver::index_of_name(const std::string& node_name) const {
  for (size_t i = 0; i < config_.nodes.size(); ++i) {
    if (config_.nodes[i].name == node_name) return i;
  }
  return std::nullopt;
}

void Driver::bootstrap(const std::vector<uint32_t>& weights) {
  metadata::Bootstrap b;
  b.group_name = "6e2a4a5c-0d4c-4c8e-9a57-5b1f3c2d7e10";
  b.view_fixed = 1;
  for (size_t i = 0; i < cluster_.size(); ++i) {
    b.nodes.push_back(metadata::NodeConfig{"node" + std::to_string(i + 1), name(i),
                                           cluster_.node(i).port, weights[i], member_id(i)});
  }
  config_.group_name = b.group_name;
  config_.nodes = b.nodes;
  config_.catch_up_timeout_ms = kCatchUpTimeoutMs;
  propose(b);
  for (size_t i = 0; i < cluster_.size(); ++i) {
    propose(metadata::MemberVersionObserved{member_id(i), "10.11.9-MariaDB-log"});
    propose(metadata::MemberJoined{member_id(i)});
    propose(metadata::MemberOnline{member_id(i)});
  }
  propose(metadata::PrimaryElected{member_id(0), "bootstrap"});
}

void Driver::start() {
  up_ = true;
  ++epoch_;
  // Like the group controller at open: this incarnation leads under a new term.
  propose(metadata::TermBegun{state_.term + 1});
  detector_.set_config(effective_config().detector);  // the decided options win
  for (size_t i = 0; i < cluster_.size(); ++i) {
    (void)detector_.track(member_id(i), scheduler_.now_ms());
  }
  schedule_round(0);
}

void Driver::crash() {
  trace_.line(scheduler_.now_ms(), "grouter crashes (volatile state lost)");
  up_ = false;
  ++epoch_;
  detector_ = metadata::FailureDetector(metadata::FailureDetectorConfig{});
  expel_due_.clear();
  suspect_reason_.assign(cluster_.size(), "");
  last_facts_.assign(cluster_.size(), std::nullopt);
  facts_before_loss_.assign(cluster_.size(), std::nullopt);
  facts_started_ms_.assign(cluster_.size(), 0);
  facts_before_loss_started_ms_.assign(cluster_.size(), 0);
  loss_frozen_ = false;
  refused_round_.assign(cluster_.size(), 0);
  dead_bound_.assign(cluster_.size(), std::nullopt);
  receiver_failing_since_ms_.assign(cluster_.size(), 0);
  settled_ms_.assign(cluster_.size(), 0);
  replication_changed_ms_.assign(cluster_.size(), 0);
  probed_ = false;
  round_outstanding_ = 0;
  running_.clear();
  failover_op_ = 0;
  failover_retry_at_ms_ = 0;
  attempt_ = 0;
  last_wait_.clear();
  stop_requested_.clear();
  switchover_to_.reset();
  stop_after_switchover_.reset();
  bootstrap_with_.clear();
}

void Driver::restart() {
  if (up_) return;
  trace_.line(scheduler_.now_ms(), "grouter restarts (view " + to_string(state_.view_id) + ")");
  start();
}

void Driver::schedule_round(int64_t delay_ms) {
  scheduler_.after(delay_ms, [this, epoch = epoch_] {
    if (epoch != epoch_) return;
    round();
    schedule_round(kProbeIntervalMs);
  });
}

void Driver::round() {
  const uint64_t round_id = ++round_id_;
  round_started_ms_ = scheduler_.now_ms();
  round_outstanding_ = cluster_.size();
  round_results_.assign(cluster_.size(), OpResult{});
  for (size_t i = 0; i < cluster_.size(); ++i) {
    ops_.probe(i, [this, epoch = epoch_, round_id, i](const OpResult& r) {
      if (epoch != epoch_ || round_id != round_id_) return;
      round_results_[i] = r;
      if (--round_outstanding_ == 0) finish_round(round_id);
    });
  }
}

void Driver::finish_round(uint64_t) {
  probed_ = true;
  detect();
  step();
}

void Driver::detect() {
  using Kind = metadata::DetectorEvent::Kind;
  const int64_t now_ms = scheduler_.now_ms();
  std::vector<metadata::DetectorEvent> events;
  if (primary_index_) {
    // The possible holders are judged on what the nodes showed before the primary went silent.
    const bool answered = round_results_[*primary_index_].ok();
    if (!answered && !loss_frozen_) freeze_facts();
    loss_frozen_ = !answered;
  }
  for (size_t i = 0; i < cluster_.size(); ++i) {
    const OpResult& r = round_results_[i];
    const auto outcome = r.ok()                           ? metadata::ProbeOutcome::kOk
                         : r.status == OpStatus::kRefused ? metadata::ProbeOutcome::kRefused
                                                          : metadata::ProbeOutcome::kFailed;
    if (!r.ok()) {
      suspect_reason_[i] = r.status == OpStatus::kRefused ? "connection refused" : "no answer";
    }
    for (auto& e : detector_.observe(member_id(i), outcome, now_ms)) events.push_back(e);
    if (r.ok()) {
      last_facts_[i] = r.facts;
      facts_started_ms_[i] = round_started_ms_;
      receiver_failing_since_ms_[i] =
          metadata::receiver_failing_since(*r.facts, receiver_failing_since_ms_[i], now_ms);
    }
    track_dead(i);
  }
  for (auto& e : detector_.tick(now_ms)) events.push_back(e);
  for (const auto& e : events) {
    const metadata::Member* m = state_.find(e.member_id);
    if (m == nullptr) continue;
    if (e.kind == Kind::kRecovered) {
      expel_due_.erase(e.member_id);
    } else if (e.kind == Kind::kExpelDue && m->in_view) {
      expel_due_.insert(e.member_id);
    }
  }
}

void Driver::track_dead(size_t i) {
  const OpResult& r = round_results_[i];
  if (r.status != OpStatus::kRefused) {
    if (r.ok()) {
      refused_round_[i] = 0;
      const auto& replica = r.facts->replica;
      if (replica && replica->io_running != "No") dead_bound_[i].reset();  // receiving again
    }
    return;
  }
  if (refused_round_[i] == 0) {
    refused_round_[i] = round_id_;
    dead_bound_[i].reset();
  } else if (!dead_bound_[i] && primary_index_ && *primary_index_ != i &&
             round_results_[*primary_index_].ok()) {
    // The primary probed after the node died: its receiver cannot have got more than this.
    dead_bound_[i] = round_results_[*primary_index_].facts->current_pos;
  }
}

void Driver::propose(const metadata::Entry& entry) {
  const std::optional<std::string> primary_before = state_.primary;
  auto next = metadata::apply_entry(state_, entry);
  if (!next) {
    ++stats_.rejected_entries;
    trace_.line(scheduler_.now_ms(), std::string("entry rejected: ") +
                                         std::string(metadata::entry_type(entry)) + ": " +
                                         next.error().message());
    return;
  }
  state_ = std::move(*next);
  primary_index_ = state_.primary ? index_of(*state_.primary) : std::nullopt;
  if (trace_.enabled()) {
    std::string who;
    std::visit(
        [&](const auto& e) {
          if constexpr (requires { e.member_id; }) {
            if constexpr (std::is_same_v<std::decay_t<decltype(e.member_id)>, std::string>) {
              if (auto i = index_of(e.member_id)) who = " " + name(*i);
            } else if (e.member_id) {
              if (auto i = index_of(*e.member_id)) who = " " + name(*i);
            }
          }
        },
        entry);
    trace_.line(scheduler_.now_ms(), std::string(metadata::entry_type(entry)) + who + "  view " +
                                         to_string(state_.view_id));
  }
  if (primary_before && !state_.primary) {
    if (!loss_frozen_) freeze_facts();
    loss_frozen_ = true;
  }
  if (!primary_before && state_.primary) loss_frozen_ = false;
}

void Driver::freeze_facts() {
  facts_before_loss_ = last_facts_;
  facts_before_loss_started_ms_ = facts_started_ms_;
}

metadata::Observations Driver::observations() const {
  metadata::Observations seen;
  for (size_t i = 0; i < cluster_.size(); ++i) {
    metadata::NodeObservation n;
    n.name = config_.nodes[i].name;
    n.probed = probed_;
    n.answered = round_results_.size() == cluster_.size() && round_results_[i].ok();
    n.fresh = n.answered && round_started_ms_ >= settled_ms_[i];
    if (n.answered) n.facts = round_results_[i].facts;
    n.receiver_failing_since_ms = receiver_failing_since_ms_[i];
    seen.nodes.push_back(std::move(n));
    if (detector_.suspected(member_id(i))) seen.suspected[member_id(i)] = suspect_reason_[i];
  }
  seen.expel_due = expel_due_;
  seen.epoch_ms = scheduler_.now_ms();
  seen.stop_requested = stop_requested_;
  seen.switchover_to = switchover_to_;
  seen.bootstrap_with = bootstrap_with_;
  return seen;
}

void Driver::step() {
  const int64_t now = scheduler_.now_ms();
  metadata::InFlight in_flight;
  for (const auto& [id, op] : running_) in_flight.running.push_back(op);
  in_flight.failover_retry_at_ms = failover_retry_at_ms_;
  answer_operator();
  const metadata::Decision d =
      metadata::decide(effective_config(), state_, observations(), in_flight, now, random_);
  for (const metadata::Entry& e : d.entries) propose(e);
  answer_operator();
  if (d.wake_at_ms != 0) {
    scheduler_.at(d.wake_at_ms, [this, epoch = epoch_] {
      if (epoch == epoch_) step();
    });
  }
  if (d.operation) run(*d.operation);
}

void Driver::end_op(uint64_t op_id, const std::vector<size_t>& touched, const OpResult& result) {
  auto it = running_.find(op_id);
  if (it == running_.end()) return;
  const bool receivers = metadata::may_start_receivers(it->second.kind);
  running_.erase(it);
  for (size_t i : touched) {
    if (receivers) replication_changed_ms_[i] = scheduler_.now_ms();
  }
  if (op_id == failover_op_) failover_op_ = 0;
  for (size_t i : touched) settled_ms_[i] = scheduler_.now_ms();
  if (!result.ok()) trace_.line(scheduler_.now_ms(), "operation failed: " + result.error);
}

void Driver::run(const metadata::Operation& op) {
  if (op.term != state_.term) return;  // fenced by a newer term
  ++stats_.operations;
  const uint64_t op_id = ++op_seq_;
  running_[op_id] = op;
  trace_.line(scheduler_.now_ms(), "operation: " + op.describe());
  const std::optional<size_t> j = index_of_name(op.node);
  const std::optional<size_t> s = index_of_name(op.source);
  std::vector<size_t> all;
  for (size_t i = 0; i < cluster_.size(); ++i) all.push_back(i);
  auto done = [this, op_id, epoch = epoch_](std::vector<size_t> touched) {
    return [this, op_id, epoch, touched = std::move(touched)](const OpResult& r) {
      if (epoch == epoch_) end_op(op_id, touched, r);
    };
  };
  auto unsupported = [&](const std::string& why) {
    OpResult r;
    r.status = OpStatus::kError;
    r.error = op.describe() + ": " + why;
    end_op(op_id, {}, r);
  };
  switch (op.kind) {
    case OpKind::kFence:
      if (!j) return unsupported("unknown node");
      return ops_.fence(*j, done({*j}));
    case OpKind::kStopReceiving: {
      std::vector<size_t> members;
      for (const std::string& n : op.nodes) {
        if (auto i = index_of_name(n)) members.push_back(*i);
      }
      if (members.empty()) return unsupported("no node");
      auto left = std::make_shared<size_t>(members.size());
      for (size_t i : members) {
        ops_.stop_receiver(i, [left, finish = done(members)](const OpResult&) {
          if (--*left == 0) finish(OpResult{});
        });
      }
      return;
    }
    case OpKind::kFailOver:
      failover_op_ = op_id;
      return start_failover();
    case OpKind::kRecover:
      if (!j || !s) return unsupported("unknown node");
      return recover(*j, *s, done({*j}));
    case OpKind::kRejoin: {
      if (!j || !s) return unsupported("unknown node");
      auto join = [this, j = *j, s = *s, finish = done({*j}), epoch = epoch_](const OpResult& r) {
        if (epoch != epoch_) return;
        if (!r.ok()) return finish(r);
        propose(metadata::MemberJoined{member_id(j)});
        recover(j, s, finish);
      };
      if (last_facts_[*j] && (!last_facts_[*j]->read_only || last_facts_[*j]->semi_sync_master_enabled))
        return ops_.fence(*j, join);
      return join(OpResult{});
    }
    case OpKind::kFinishRecovery: {
      if (!j || !s) return unsupported("unknown node");
      return repoint(*j, *s, [this, j = *j, finish = done({*j}), epoch = epoch_](const OpResult& r) {
        if (epoch != epoch_) return;
        const metadata::Member* m = state_.find(member_id(j));
        if (r.ok() && m != nullptr && m->in_view && m->state == MemberState::kRecovering)
          propose(metadata::MemberOnline{member_id(j)});
        finish(r);
      });
    }
    case OpKind::kRepoint:
      if (!j || !s) return unsupported("unknown node");
      return repoint(*j, *s, done({*j}));
    case OpKind::kGuardSemiSync:
      if (!j) return unsupported("unknown node");
      return ops_.promote(*j, done({*j}));
    case OpKind::kFormGroup: {
      // As GroupController::form_group: promoted, writable, then joined, ONLINE and primary.
      if (!j) return unsupported("unknown node");
      auto finish = done({*j});
      return ops_.promote(*j, [this, j = *j, finish, epoch = epoch_](const OpResult& r) {
        if (epoch != epoch_) return;
        if (!r.ok()) return finish(r);
        ops_.set_read_only(j, false, [this, j, finish, epoch](const OpResult& w) {
          if (epoch != epoch_) return;
          if (w.ok()) {
            propose(metadata::MemberJoined{member_id(j)});
            propose(metadata::MemberOnline{member_id(j)});
            propose(metadata::PrimaryElected{member_id(j), "formed"});
          }
          finish(w);
        });
      });
    }
    case OpKind::kSwitchOver: {
      const std::optional<size_t> target = index_of(op.source);
      if (!target || !primary_index_) return unsupported("unknown node");
      return switch_over(*target, done(all));
    }
  }
}

void Driver::recover(size_t j, size_t donor, OpDone done) {
  // As GroupController::start_recovery: what it received is applied first (CHANGE MASTER would
  // delete it), it is checked for errant transactions against the primary, its own writes are
  // recorded, and it replicates from the donor up to the donor's executed set (RecoveryStarted).
  const uint64_t epoch = epoch_;
  const size_t p = primary_index_.value_or(donor);
  auto ok = [this, epoch, done](std::function<void(const OpResult&)> next) {
    return [this, epoch, done, next](const OpResult& r) {
      if (epoch != epoch_) return;
      r.ok() ? next(r) : done(r);
    };
  };
  auto start = ok([this, j, donor, done, ok](const OpResult& from_donor) {
    const GtidPosition target = from_donor.read->executed;
    ops_.change_master(j, donor, ok([this, j, donor, done, ok, target](const OpResult&) {
                         ops_.start_replica(j, ok([this, j, donor, done, target](const OpResult& r) {
                                              propose(metadata::RecoveryStarted{
                                                  member_id(j), member_id(donor),
                                                  to_string(target),
                                                  static_cast<uint64_t>(scheduler_.now_ms())});
                                              done(r);
                                            }));
                       }));
  });
  auto check = ok([this, j, p, donor, done, ok, start](const OpResult& mine) {
    ops_.read_binlog_state(p, ok([this, j, donor, done, start, mine](const OpResult& group) {
                          auto errant = metadata::errant_against(mine.read->executed,
                                                                 group.read->executed);
                          if (!errant) {
                            errant = metadata::errant_in_state(*mine.binlog_state,
                                                               *group.binlog_state);
                          }
                          if (errant) {
                            metadata::MemberError error{member_id(j), "errant transactions: " +
                                                                          *errant};
                            error.errant = true;
                            propose(error);
                            return done(OpResult{});
                          }
                          propose(metadata::OwnWritesRecorded{
                              member_id(j),
                              to_string(metadata::written_by(mine.facts->binlog_pos,
                                                             mine.facts->server_id))});
                          ops_.read_positions(donor, start);
                        }));
  });
  auto drained = ok([this, j, check, ok](const OpResult& r) {
    if (r.facts->may_keep_unseen_relay_log()) {
      // As GroupController::read_positions: a kept relay log is applied, never purged.
      return ops_.apply_kept_relay_log(j, kCatchUpTimeoutMs, ok([this, j, check](const OpResult&) {
                                         ops_.read_binlog_state(j, check);
                                       }));
    }
    if (metadata::covers(r.read->executed, r.read->received)) {
      return ops_.read_binlog_state(j, check);
    }
    ops_.wait_applied(j, r.read->received, kCatchUpTimeoutMs,
                      ok([this, j, check](const OpResult&) { ops_.read_binlog_state(j, check); }));
  });
  ops_.stop_receiver(j, ok([this, j, drained](const OpResult&) { ops_.read_positions(j, drained); }));
}

void Driver::repoint(size_t j, size_t source, OpDone done) {
  // As GroupController::repoint: never while the node holds received transactions that neither it
  // applied nor the new source has (CHANGE MASTER deletes the relay log); those are applied first,
  // and so is a relay log kept across a restart (Gtid_IO_Pos empty), which no position shows.
  const uint64_t epoch = epoch_;
  auto ok = [this, epoch, done](std::function<void(const OpResult&)> next) {
    return [this, epoch, done, next](const OpResult& r) {
      if (epoch != epoch_) return;
      r.ok() ? next(r) : done(r);
    };
  };
  auto change = ok([this, j, source, done, ok](const OpResult&) {
    ops_.change_master(j, source,
                       ok([this, j, done](const OpResult&) { ops_.start_replica(j, done); }));
  });
  auto safe = ok([this, j, source, done, ok, change](const OpResult& mine) {
    if (mine.facts->may_keep_unseen_relay_log()) {
      return ops_.apply_kept_relay_log(j, kCatchUpTimeoutMs, change);
    }
    if (metadata::covers(mine.read->executed, mine.read->received)) return change(mine);
    ops_.read_positions(source, ok([this, j, ok, change, mine](const OpResult& src) {
                          if (metadata::covers(src.read->executed, mine.read->received))
                            return change(src);
                          // Neither has them yet: the node applies them first.
                          ops_.wait_applied(j, mine.read->received, kCatchUpTimeoutMs,
                                            ok([change](const OpResult& r) { change(r); }));
                        }));
  });
  ops_.read_positions(j, safe);
}

}  // namespace grouter::sim
