// The failover attempt of the simulated controller (driver.h): read, decide, run the plan's steps
// with a recheck before each one that changes a node (Rule::kNew), or today's legacy behaviour.
#include "tests/sim/driver.h"

#include <memory>
#include <utility>

#include "metadata/election.h"

namespace grouter::sim {
namespace {

GtidPosition held(const metadata::FailoverRead& read) {
  return metadata::merge_newest(read.received, read.executed);
}

enum Step : size_t { kOwnRelay, kFromDonor, kPromote, kOthers, kWritable };

}  // namespace

OpDone Driver::guard(uint64_t attempt, std::function<void(const OpResult&)> next) {
  return [this, epoch = epoch_, attempt, next = std::move(next)](const OpResult& r) {
    if (epoch == epoch_ && attempt == attempt_) next(r);
  };
}

void Driver::start_failover() {
  const uint64_t attempt = attempt_ = ++attempt_seq_;
  reads_.assign(cluster_.size(), std::nullopt);
  std::vector<std::pair<size_t, bool>> targets;  // node, apply its kept relay log first
  for (size_t i = 0; i < cluster_.size(); ++i) {
    if (options_.rule == Rule::kLegacy) {
      const metadata::Member& m = member(i);
      if (!m.in_view || m.state == metadata::MemberState::kUnreachable) continue;
      targets.emplace_back(i, false);
    } else if (round_results_.size() == cluster_.size() && round_results_[i].ok()) {
      // As the group controller: only nodes whose last probe answered (a hung or dead one would
      // cost a timeout at every read; the rule waits for it if it is a possible holder).
      targets.emplace_back(i, true);
    }
  }
  reads_outstanding_ = targets.size();
  if (targets.empty()) return end_attempt(false, "no node to read");
  for (const auto& [i, kept] : targets) read_node(i, attempt, kept);
}

void Driver::read_node(size_t i, uint64_t attempt, bool apply_kept) {
  // Stop the receiver (what the node holds is then final), read, and when the read cannot show
  // all it holds (Gtid_IO_Pos empty after a restart, relay log kept), apply the kept relay log
  // and read again: the read counts only once the relay log is applied.
  auto read_again = [this, i, attempt] {
    ops_.read_positions(i, guard(attempt, [this, i, attempt](const OpResult& r) {
                          node_read(i, attempt, r.ok() ? r.read : std::nullopt);
                        }));
  };
  auto first_read = [this, i, attempt, apply_kept, read_again](const OpResult& r) {
    if (!r.ok()) return node_read(i, attempt, std::nullopt);
    if (!apply_kept || !r.facts->may_keep_unseen_relay_log()) return node_read(i, attempt, r.read);
    trace_.line(scheduler_.now_ms(), "apply kept relay log on " + name(i));
    ops_.apply_kept_relay_log(i, kCatchUpTimeoutMs,
                              guard(attempt, [this, i, attempt, read_again](const OpResult& r2) {
                                if (!r2.ok()) return node_read(i, attempt, std::nullopt);
                                read_again();
                              }));
  };
  ops_.stop_receiver(i, guard(attempt, [this, i, attempt, first_read](const OpResult& r) {
                       if (!r.ok()) return node_read(i, attempt, std::nullopt);
                       ops_.read_positions(i, guard(attempt, first_read));
                     }));
}

void Driver::node_read(size_t i, uint64_t attempt, std::optional<metadata::FailoverRead> read) {
  reads_[i] = std::move(read);
  if (--reads_outstanding_ != 0) return;
  if (options_.rule == Rule::kNew) {
    decide(attempt);
  } else {
    decide_legacy(attempt);
  }
}

metadata::FailoverInput Driver::input() const {
  metadata::FailoverInput in;
  in.state = &state_;
  if (state_.failover) {
    in.old_primary = state_.failover->old_primary;
    if (auto floor = metadata::parse_gtid_position(state_.failover->target)) in.floor = *floor;
  }
  for (size_t i = 0; i < cluster_.size(); ++i) {
    const auto& facts = options_.facts_before_loss ? facts_before_loss_[i] : last_facts_[i];
    const int64_t started =
        options_.facts_before_loss ? facts_before_loss_started_ms_[i] : facts_started_ms_[i];
    in.nodes.push_back(metadata::FailoverNode{member_id(i), name(i), cluster_.node(i).port,
                                              facts, reads_[i],
                                              started >= replication_changed_ms_[i],
                                              dead_bound_[i]});
  }
  return in;
}

void Driver::decide(uint64_t attempt) {
  auto decision = metadata::decide_failover(input());
  if (const auto* wait = std::get_if<metadata::FailoverWait>(&decision)) {
    ++stats_.waits;
    if (wait->reason != last_wait_)
      trace_.line(scheduler_.now_ms(), "failover waits: " + wait->reason);
    last_wait_ = wait->reason;
    if (state_.failover && state_.failover->waiting != wait->reason) {
      propose(metadata::FailoverWaiting{state_.term, wait->reason,
                                        metadata::join_ids(wait->missing)});
    }
    failover_retry_at_ms_ = scheduler_.now_ms() + kProbeIntervalMs;
    return end_attempt(true, "");
  }
  plan_ = std::get<metadata::FailoverPlan>(std::move(decision));
  last_wait_.clear();
  failover_retry_at_ms_ = 0;
  // The plan is durable before its first step (the target is the floor of any later attempt).
  const uint64_t rejected = stats_.rejected_entries;
  propose(metadata::FailoverDecided{state_.term, plan_.winner, to_string(plan_.target), ""});
  if (stats_.rejected_entries != rejected) return abort_attempt(attempt, "cannot record the plan");
  trace_.line(scheduler_.now_ms(), "failover plan: winner " + name(*index_of(plan_.winner)) +
                                       " target " + to_string(plan_.target) + " donor " +
                                       (plan_.donor ? name(*index_of(*plan_.donor)) : "-"));
  run_step(attempt, kOwnRelay);
}

void Driver::decide_legacy(uint64_t attempt) {
  metadata::GroupState trial = state_;
  for (size_t i = 0; i < trial.members.size(); ++i) {
    metadata::Member& m = trial.members[i];
    const bool candidate = reads_[i] && m.in_view && m.state == metadata::MemberState::kOnline;
    m.in_view = candidate;
    m.state = candidate ? metadata::MemberState::kOnline : metadata::MemberState::kOffline;
  }
  const auto winner = metadata::elect_primary(trial);
  if (!winner) return end_attempt(false, "no winner");
  plan_ = metadata::FailoverPlan{};
  plan_.winner = *winner;
  for (const auto& r : reads_) {
    if (r) plan_.target = metadata::merge_newest(plan_.target, held(*r));
  }
  const size_t w = *index_of(*winner);
  for (size_t i = 0; i < reads_.size(); ++i) {
    if (!reads_[i]) continue;
    if (i != w && member(i).in_view) plan_.others.push_back(member_id(i));
    if (!plan_.donor && !metadata::covers(held(*reads_[w]), plan_.target) &&
        metadata::covers(held(*reads_[i]), plan_.target)) {
      plan_.donor = member_id(i);
    }
  }
  trace_.line(scheduler_.now_ms(),
              "legacy failover: winner " + name(w) + " target " + to_string(plan_.target));
  run_step(attempt, kOwnRelay);
}

void Driver::run_step(uint64_t attempt, size_t step) {
  const size_t w = *index_of(plan_.winner);
  trace_.line(scheduler_.now_ms(), "failover step " + std::to_string(step));
  auto fail = [this, attempt, w](const std::string& what) {
    return [this, attempt, what, w](const OpResult& r) {
      std::string receiver;
      if (last_facts_[w] && last_facts_[w]->replica && last_facts_[w]->replica->last_io_errno != 0)
        receiver = " (receiver error " + std::to_string(last_facts_[w]->replica->last_io_errno) + ")";
      abort_attempt(attempt, what + ": " + r.error + receiver);
    };
  };
  auto then = [this, attempt](std::function<void()> next, std::function<void(const OpResult&)> f) {
    return guard(attempt, [next, f](const OpResult& r) { r.ok() ? next() : f(r); });
  };
  if (step == kOwnRelay) {
    // The winner first applies what it received: its relay log is deleted by a repoint.
    return ops_.wait_applied(w, held(*reads_[w]), kCatchUpTimeoutMs,
                             then([=, this] { run_step(attempt, kFromDonor); }, fail("apply")));
  }
  if (step == kFromDonor) {
    if (!plan_.donor) return run_step(attempt, kPromote);
    const size_t d = *index_of(*plan_.donor);
    return recheck_then(attempt, [=, this] {
      ops_.change_master(w, d,
                         then(
                             [=, this] {
                               ops_.start_replica(
                                   w, then(
                                          [=, this] {
                                            ops_.wait_applied(
                                                w, plan_.target, kCatchUpTimeoutMs,
                                                then([=, this] { run_step(attempt, kPromote); },
                                                     fail("catch up")));
                                          },
                                          fail("start replica")));
                             },
                             fail("change master to donor")));
    });
  }
  if (step == kPromote) {
    return recheck_then(attempt, [=, this] {
      ops_.promote(w, then([=, this] { run_step(attempt, kOthers); }, fail("promote")));
    });
  }
  if (step >= kOthers && step < kOthers + plan_.others.size()) {
    const size_t o = *index_of(plan_.others[step - kOthers]);
    auto next = guard(attempt, [=, this](const OpResult&) { run_step(attempt, step + 1); });
    return recheck_then(attempt, [=, this] {
      ops_.change_master(o, w, guard(attempt, [=, this](const OpResult& r) {
                           if (!r.ok()) return next(r);  // maintenance repoints it later
                           ops_.start_replica(o, next);
                         }));
    });
  }
  recheck_then(attempt, [=, this] {
    ops_.set_read_only(w, false, then([=, this] { finish_failover(attempt); }, fail("writable")));
  });
}

void Driver::recheck_then(uint64_t attempt, std::function<void()> next) {
  if (options_.rule == Rule::kLegacy) return next();
  auto fresh =
      std::make_shared<std::vector<std::optional<metadata::FailoverRead>>>(cluster_.size());
  auto outstanding = std::make_shared<size_t>(0);
  for (const auto& r : reads_) *outstanding += r ? 1 : 0;
  for (size_t i = 0; i < cluster_.size(); ++i) {
    if (!reads_[i]) continue;
    ops_.read_positions(i, guard(attempt, [=, this](const OpResult& r) {
                          (*fresh)[i] = r.ok() ? r.read : std::nullopt;
                          if (--*outstanding != 0) return;
                          reads_ = *fresh;
                          if (auto error = metadata::recheck_failover(plan_, input())) {
                            return abort_attempt(attempt, "recheck: " + *error);
                          }
                          next();
                        }));
  }
}

void Driver::abort_attempt(uint64_t attempt, const std::string& why) {
  if (attempt != attempt_) return;
  ++stats_.aborts;
  trace_.line(scheduler_.now_ms(), "failover aborted: " + why);
  end_attempt(false, why);
}

void Driver::end_attempt(bool ok, const std::string& why) {
  attempt_ = 0;
  std::vector<size_t> all;
  for (size_t i = 0; i < cluster_.size(); ++i) all.push_back(i);
  OpResult r;
  if (!ok) {
    r.status = OpStatus::kError;
    r.error = "failover: " + why;
  }
  end_op(failover_op_, all, r);
}

void Driver::finish_failover(uint64_t attempt) {
  if (attempt != attempt_) return;
  end_attempt(true, "");
  if (const auto* m = state_.find(plan_.winner);
      m != nullptr && m->state == metadata::MemberState::kRecovering) {
    propose(metadata::MemberOnline{plan_.winner});  // it reached the target: recovered
  }
  propose(metadata::PrimaryElected{plan_.winner, "failover"});
  if (state_.primary == plan_.winner) ++stats_.failovers;
}

}  // namespace grouter::sim
