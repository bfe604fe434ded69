// The simulated group controller's side of the operator's statements (driver.h): the checks and
// entries the group controller uses (metadata/member_ops.h, metadata/group_options.h), the stop of
// the primary after a switchover, and the switchover itself as GroupController::switch_over runs
// it on the nodes.
#include <memory>

#include "metadata/group_options.h"
#include "metadata/member_ops.h"
#include "tests/sim/driver.h"

namespace grouter::sim {

metadata::ControllerConfig Driver::effective_config() const {
  return metadata::with_decided_options(config_, state_);
}

void Driver::operator_stop(size_t i) {
  if (!up_) return;
  const metadata::Member* m = state_.find(member_id(i));
  if (m == nullptr || stop_requested_.count(m->member_id) != 0 || switchover_to_) return;
  auto plan = metadata::plan_stop(state_, *m, cluster_.size());
  if (!plan) {
    ++stats_.stops_refused;
    trace_.line(scheduler_.now_ms(), "operator: stop " + name(i) + " refused: " +
                                         plan.error().message);
    return;
  }
  if (plan->already_stopped) return;
  trace_.line(scheduler_.now_ms(), "operator: stop " + name(i));
  if (plan->switchover_to) {
    switchover_to_ = plan->switchover_to;
    stop_after_switchover_ = m->member_id;
    return;
  }
  stop_requested_.insert(m->member_id);
}

void Driver::operator_start(size_t i) {
  if (!up_) return;
  const metadata::Member* m = state_.find(member_id(i));
  if (m == nullptr || !m->stopped || !metadata::check_start(state_, *m)) return;
  trace_.line(scheduler_.now_ms(), "operator: start " + name(i));
  ++stats_.starts;
  propose(metadata::MemberStarted{m->member_id});
}

void Driver::operator_set_option(const std::string& option, const std::string& value, size_t i) {
  if (!up_) return;
  auto checked = metadata::check_option(option, value);
  if (!checked) {
    trace_.line(scheduler_.now_ms(), "operator: refused: " + checked.error());
    return;
  }
  trace_.line(scheduler_.now_ms(), "operator: group_replication_" + checked->option + " = " +
                                       checked->value);
  ++stats_.option_changes;
  if (checked->option == "member_weight") {
    propose(metadata::MemberWeightChanged{member_id(i),
                                          static_cast<uint32_t>(std::stoul(checked->value))});
  } else {
    propose(metadata::OptionChanged{checked->option, checked->value});
    detector_.set_config(effective_config().detector);
  }
}

bool Driver::answered_now(size_t k) const {
  // A round in progress holds default results without facts.
  return round_outstanding_ == 0 && round_results_.size() == cluster_.size() &&
         round_results_[k].ok() && round_results_[k].facts.has_value();
}

void Driver::operator_bootstrap(size_t i) {
  if (!up_ || !bootstrap_with_.empty() || !metadata::check_bootstrap(state_)) return;
  std::vector<metadata::NodeHolding> nodes;
  for (size_t k = 0; k < cluster_.size(); ++k) {
    const bool answered = answered_now(k);
    nodes.push_back({config_.nodes[k].name, answered,
                     answered ? round_results_[k].facts->current_pos : GtidPosition{}});
  }
  if (auto ok = metadata::check_bootstrap_node(nodes, config_.nodes[i].name); !ok) {
    trace_.line(scheduler_.now_ms(), "operator: bootstrap on " + name(i) + " refused: " +
                                         ok.error().message);
    return;
  }
  trace_.line(scheduler_.now_ms(), "operator: bootstrap on " + name(i));
  ++stats_.bootstraps;
  bootstrap_with_ = config_.nodes[i].name;
}

void Driver::operator_heal() {
  if (state_.view_member_ids().empty()) {
    // The most advanced node that answered (check_bootstrap_node refuses the others).
    std::optional<size_t> best;
    for (size_t k = 0; k < cluster_.size(); ++k) {
      if (!answered_now(k)) continue;
      if (!best || !metadata::covers(round_results_[*best].facts->current_pos,
                                     round_results_[k].facts->current_pos))
        best = k;
    }
    if (best) operator_bootstrap(*best);
    return;
  }
  for (size_t k = 0; k < cluster_.size(); ++k) {
    if (state_.members[k].stopped) operator_start(k);
  }
}

void Driver::answer_operator() {
  if (!bootstrap_with_.empty()) {
    auto i = index_of_name(bootstrap_with_);
    if (!i || state_.primary == member_id(*i)) bootstrap_with_.clear();
  }
  // The stop of the primary goes on once the switchover made it a secondary.
  if (switchover_to_ && state_.primary == *switchover_to_) {
    switchover_to_.reset();
    if (stop_after_switchover_) {
      ++stats_.primary_stops;
      stop_requested_.insert(*stop_after_switchover_);
      stop_after_switchover_.reset();
    }
  }
  for (auto it = stop_requested_.begin(); it != stop_requested_.end();) {
    const metadata::Member* m = state_.find(*it);
    bool answered = m == nullptr;
    if (m != nullptr && m->stopped) {
      ++stats_.stops;
      answered = true;
    } else if (m != nullptr) {
      auto plan = metadata::plan_stop(state_, *m, cluster_.size());
      if (!plan || plan->switchover_to) {
        ++stats_.stops_refused;
        trace_.line(scheduler_.now_ms(),
                    "operator: stop " + m->name + " refused: " +
                        (plan ? std::string("it became the primary") : plan.error().message));
        answered = true;
      }
    }
    it = answered ? stop_requested_.erase(it) : std::next(it);
  }
}

void Driver::repoint_all(std::vector<size_t> nodes, size_t k, size_t source, OpDone done) {
  // One after the other; a failure is only logged by the controller: later steps repair it.
  if (k == nodes.size()) return done(OpResult{});
  const size_t node = nodes[k];
  repoint(node, source, [this, nodes = std::move(nodes), k, source, done, epoch = epoch_](
                            const OpResult&) mutable {
    if (epoch == epoch_) repoint_all(std::move(nodes), k + 1, source, done);
  });
}

void Driver::switch_over(size_t target, OpDone done) {
  // As GroupController::switch_over: the old primary read-only, the target catches up with its
  // executed set, the old primary fenced, the target promoted, the others pointed at it, the
  // target writable, PrimaryElected. A failure before the fence makes the old primary writable
  // again; the request is dropped either way (the operator's stop is answered with the failure).
  const size_t old = *primary_index_;
  const uint64_t epoch = epoch_;
  auto give_up = [this, epoch, done](const OpResult& r) {
    if (epoch != epoch_) return;
    switchover_to_.reset();
    stop_after_switchover_.reset();
    done(r);
  };
  auto ok = [this, epoch, give_up](std::function<void(const OpResult&)> next) {
    return [this, epoch, give_up, next](const OpResult& r) {
      if (epoch != epoch_) return;
      r.ok() ? next(r) : give_up(r);
    };
  };
  auto writable_again = [this, old, epoch, give_up](const OpResult& failed) {
    if (epoch != epoch_) return;
    ops_.set_read_only(old, false, [give_up, failed](const OpResult&) { give_up(failed); });
  };
  auto finish = ok([this, target, done](const OpResult& r) {
    ++stats_.switchovers;
    propose(metadata::PrimaryElected{member_id(target), "switchover (set_as_primary)"});
    done(r);
  });
  auto repoint_others = ok([this, target, finish](const OpResult&) {
    std::vector<size_t> others;
    for (size_t i = 0; i < cluster_.size(); ++i) {
      const metadata::Member* m = state_.find(member_id(i));
      if (i == target || m == nullptr || !m->in_view ||
          m->state == metadata::MemberState::kUnreachable)
        continue;
      others.push_back(i);
    }
    repoint_all(std::move(others), 0, target, [this, target, finish](const OpResult&) {
      ops_.set_read_only(target, false, finish);
    });
  });
  auto promote = ok([this, target, repoint_others](const OpResult&) {
    ops_.promote(target, repoint_others);
  });
  auto caught_up = [this, old, epoch, writable_again, promote](const OpResult& r) {
    if (epoch != epoch_) return;
    if (!r.ok()) return writable_again(r);
    ops_.fence(old, promote);
  };
  auto read_old = [this, old, target, epoch, writable_again, caught_up](const OpResult& r) {
    if (epoch != epoch_) return;
    if (!r.ok()) return writable_again(r);
    ops_.wait_applied(target, r.read->executed, kCatchUpTimeoutMs, caught_up);
  };
  ops_.set_read_only(old, true, ok([this, old, read_old](const OpResult&) {
                       ops_.read_positions(old, read_old);
                     }));
}

}  // namespace grouter::sim
