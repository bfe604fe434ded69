// The simulated group controller (driver.h): probe rounds, detector events, entries, maintenance.
#include "tests/sim/driver.h"

#include <utility>

#include "metadata/apply.h"
#include "metadata/quorum.h"

namespace grouter::sim {

using metadata::MemberState;

Driver::Driver(Scheduler& scheduler, Cluster& cluster, NodeOps& ops, DriverOptions options,
               const Trace& trace)
    : scheduler_(scheduler),
      cluster_(cluster),
      ops_(ops),
      options_(options),
      trace_(trace),
      last_facts_(cluster.size()),
      facts_before_loss_(cluster.size()),
      refused_round_(cluster.size(), 0),
      dead_bound_(cluster.size()),
      errant_at_(cluster.size()),
      recovery_target_(cluster.size()),
      busy_(cluster.size(), false) {}

std::string Driver::member_id(size_t i) {
  return "00000000-0000-4000-8000-" + std::string(11, '0') + std::to_string(i + 1);
}

std::optional<size_t> Driver::index_of(const std::string& id) const {
  // member_id(i) ends in the digit i + 1 (at most 9 nodes).
  if (id.size() != 36 || id.back() < '1' || id.back() > '9') return std::nullopt;
  const size_t i = static_cast<size_t>(id.back() - '1');
  return i < cluster_.size() && id == member_id(i) ? std::optional<size_t>(i) : std::nullopt;
}

void Driver::bootstrap(const std::vector<uint32_t>& weights) {
  metadata::Bootstrap b;
  b.group_name = "6e2a4a5c-0d4c-4c8e-9a57-5b1f3c2d7e10";
  b.view_fixed = 1;
  for (size_t i = 0; i < cluster_.size(); ++i) {
    b.nodes.push_back(metadata::NodeConfig{"node" + std::to_string(i + 1), name(i),
                                           cluster_.node(i).port, weights[i], member_id(i)});
  }
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
  last_facts_.assign(cluster_.size(), std::nullopt);
  facts_before_loss_.assign(cluster_.size(), std::nullopt);
  loss_frozen_ = false;
  refused_round_.assign(cluster_.size(), 0);
  dead_bound_.assign(cluster_.size(), std::nullopt);
  errant_at_.assign(cluster_.size(), std::nullopt);
  recovery_target_.assign(cluster_.size(), std::nullopt);
  busy_.assign(cluster_.size(), false);
  round_outstanding_ = 0;
  attempt_ = 0;
  last_wait_.clear();
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
  detect();
  maintain();
  if (attempt_ != 0 || state_.primary || state_.view_member_ids().empty()) return;
  if (options_.rule == Rule::kLegacy && !metadata::has_majority(state_)) return;
  start_failover();
}

void Driver::detect() {
  using Kind = metadata::DetectorEvent::Kind;
  const int64_t now_ms = scheduler_.now_ms();
  std::vector<metadata::DetectorEvent> events;
  if (primary_index_) {
    // The possible holders are judged on what the nodes showed before the primary went silent.
    const bool answered = round_results_[*primary_index_].ok();
    if (!answered && !loss_frozen_) facts_before_loss_ = last_facts_;
    loss_frozen_ = !answered;
  }
  for (size_t i = 0; i < cluster_.size(); ++i) {
    const OpResult& r = round_results_[i];
    const auto outcome = r.ok()                           ? metadata::ProbeOutcome::kOk
                         : r.status == OpStatus::kRefused ? metadata::ProbeOutcome::kRefused
                                                          : metadata::ProbeOutcome::kFailed;
    for (auto& e : detector_.observe(member_id(i), outcome, now_ms)) events.push_back(e);
    if (r.ok()) last_facts_[i] = r.facts;
    track_dead(i);
  }
  for (auto& e : detector_.tick(now_ms)) events.push_back(e);
  for (const auto& e : events) {
    const metadata::Member* m = state_.find(e.member_id);
    if (m == nullptr) continue;
    if (e.kind == Kind::kSuspect && m->in_view && m->state != MemberState::kUnreachable) {
      propose(metadata::MemberSuspected{e.member_id});
    } else if (e.kind == Kind::kRecovered) {
      expel_due_.erase(e.member_id);
    } else if (e.kind == Kind::kExpelDue) {
      expel_due_.insert(e.member_id);
    }
  }
  // Reachable again (also a suspicion decided by an earlier incarnation of grouter).
  for (size_t i = 0; i < cluster_.size(); ++i) {
    const metadata::Member& m = member(i);
    if (round_results_[i].ok() && m.in_view && m.state == MemberState::kUnreachable &&
        !detector_.suspected(m.member_id)) {
      propose(metadata::MemberReachable{m.member_id});
    }
  }
  for (const std::string& id : std::set<std::string>(expel_due_)) {
    const metadata::Member* m = state_.find(id);
    if (m == nullptr || !m->in_view || m->state != MemberState::kUnreachable) {
      expel_due_.erase(id);
    } else if (metadata::has_majority(state_)) {
      propose(metadata::MemberExpelled{id, "expelled: unreachable"});
      expel_due_.erase(id);
    }
  }
}

void Driver::track_dead(size_t i) {
  const OpResult& r = round_results_[i];
  if (r.status != OpStatus::kRefused) {
    if (r.ok()) {
      refused_round_[i] = 0;
      dead_bound_[i].reset();
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
    old_primary_ = *primary_before;
    if (!loss_frozen_) facts_before_loss_ = last_facts_;
    loss_frozen_ = true;
  }
  if (!primary_before && state_.primary) loss_frozen_ = false;
}

void Driver::maintain() {
  const std::optional<size_t> p = primary_index();
  if (!p) {
    if (attempt_ != 0) return;
    for (size_t j = 0; j < cluster_.size(); ++j) {
      if (round_results_[j].ok() && !round_results_[j].facts->read_only && !busy_[j]) {
        trace_.line(scheduler_.now_ms(), "fence " + name(j) + " (writable, no primary)");
        busy_[j] = true;
        ops_.fence(j, [this, j, epoch = epoch_](const OpResult&) {
          if (epoch == epoch_) busy_[j] = false;
        });
      }
    }
    return;
  }
  if (round_results_[*p].ok() && round_results_[*p].facts->read_only && !busy_[*p] &&
      member(*p).state == MemberState::kOnline) {
    restore_primary(*p);
  }
  for (size_t j = 0; j < cluster_.size(); ++j) {
    if (j != *p && round_results_[j].ok() && !busy_[j]) maintain_member(j, *p);
  }
}

void Driver::maintain_member(size_t j, size_t p) {
  const metadata::NodeFacts& f = *round_results_[j].facts;
  const metadata::NodeFacts* pf = round_results_[p].ok() ? &*round_results_[p].facts : nullptr;
  metadata::Member& m = member(j);
  if (!f.read_only) {
    trace_.line(scheduler_.now_ms(), "fence " + name(j) + " (writable, not the primary)");
    busy_[j] = true;
    ops_.fence(j, [this, j, epoch = epoch_](const OpResult&) {
      if (epoch == epoch_) busy_[j] = false;
    });
    return;
  }
  const bool from_primary = f.replica && f.replica->source_host == name(p);
  const bool errant_io = f.replica && f.replica->last_io_errno == 1236;
  if (m.in_view) {
    if (m.state == MemberState::kUnreachable) return;
    if (errant_io) {
      errant_at_[j] = f.current_pos;
      return propose(metadata::MemberError{m.member_id, "errant transactions (error 1236)"});
    }
    if (!from_primary || f.replica->io_running == "No" || !f.replica->sql_running) {
      return repoint(j, p, false);
    }
    if (m.state != MemberState::kRecovering) return recovery_target_[j].reset();
    if (!recovery_target_[j] && pf != nullptr) recovery_target_[j] = pf->current_pos;
    if (recovery_target_[j] && f.replica->io_yes() &&
        metadata::covers(f.current_pos, *recovery_target_[j])) {
      recovery_target_[j].reset();
      propose(metadata::MemberOnline{m.member_id});
    }
    return;
  }
  if (pf == nullptr || (errant_at_[j] && *errant_at_[j] == f.current_pos)) return;
  auto errant = metadata::errant_against(f.current_pos, pf->current_pos);
  if (errant || (errant_io && from_primary)) {
    errant_at_[j] = f.current_pos;
    return propose(metadata::MemberError{
        m.member_id, "errant transactions: " + (errant ? *errant : std::string("error 1236"))});
  }
  errant_at_[j].reset();
  recovery_target_[j].reset();
  repoint(j, p, true);
}

void Driver::restore_primary(size_t p) {
  trace_.line(scheduler_.now_ms(), "primary " + name(p) + " found read_only: restore it");
  busy_[p] = true;
  ops_.promote(p, [this, p, epoch = epoch_](const OpResult& r) {
    if (epoch != epoch_) return;
    if (!r.ok()) {
      busy_[p] = false;
      return;
    }
    ops_.set_read_only(p, false, [this, p, epoch](const OpResult&) {
      if (epoch == epoch_) busy_[p] = false;
    });
  });
}

void Driver::repoint(size_t j, size_t p, bool join) {
  // CHANGE MASTER deletes the relay log, which may hold the only copy of acknowledged transactions
  // (the primary may have died a moment ago, undetected): it is applied first.
  trace_.line(scheduler_.now_ms(), (join ? "rejoin " : "repoint ") + name(j) + " to " + name(p));
  busy_[j] = true;
  const uint64_t epoch = epoch_;
  auto done = [this, j, epoch](const OpResult&) {
    if (epoch == epoch_) busy_[j] = false;
  };
  auto ok = [this, epoch, done](std::function<void(const OpResult&)> next) {
    return [this, epoch, done, next](const OpResult& r) {
      if (epoch != epoch_) return;
      r.ok() ? next(r) : done(r);
    };
  };
  auto change = ok([this, j, p, join, epoch, ok, done](const OpResult&) {
    ops_.change_master(j, p, ok([this, j, p, join, epoch, done](const OpResult&) {
                         ops_.start_replica(j, [this, j, p, join, epoch, done](const OpResult& r) {
                           if (epoch != epoch_) return;
                           done(r);
                           if (r.ok() && join && !member(j).in_view && primary_index() == p) {
                             propose(metadata::MemberJoined{member_id(j)});
                           }
                         });
                       }));
  });
  auto apply = ok([this, j, change](const OpResult& r) {
    if (holds_unseen_relay(*r.facts)) {
      return ops_.apply_kept_relay_log(j, kCatchUpTimeoutMs, change);
    }
    ops_.wait_applied(j, r.read->received, kCatchUpTimeoutMs, change);
  });
  ops_.stop_receiver(j, ok([this, j, apply](const OpResult&) { ops_.read_positions(j, apply); }));
}

}  // namespace grouter::sim
