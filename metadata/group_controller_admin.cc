// The group controller's side of the operator's statements (group_service.h): SET GLOBAL
// group_replication_* (OptionChanged, MemberWeightChanged), STOP / START GROUP_REPLICATION on a
// member (MemberStopped after a switchover when it is the primary, MemberStarted), the bootstrap
// and the variables. The checks are pure (group_options.h, member_ops.h); every decision goes
// through the group log before it acts.
#include <algorithm>

#include "metadata/group_controller.h"
#include "metadata/group_options.h"
#include "metadata/member_ops.h"

namespace grouter::metadata {
namespace {

using F = SwitchoverFailure;

std::unexpected<F> invalid(std::string why) {
  return std::unexpected(F{F::Kind::kInvalidRequest, std::move(why)});
}

std::unexpected<F> unavailable(std::string why) {
  return std::unexpected(F{F::Kind::kUnavailable, std::move(why)});
}

std::string no_member(const std::string& id_or_name) {
  return "no member '" + id_or_name + "' in the group (name a member by its member_id or its "
         "storage node's name)";
}

}  // namespace

void GroupController::apply_decided_options() {
  config_ = with_decided_options(file_config_, state_);
  detector_.set_config(config_.detector);
  if (log_ == nullptr) return;  // replaying at open: open() publishes the final state
  publish();  // exit_state_action and consistency reach the routes
  kick();
}

void GroupController::say_overrides() {
  apply_decided_options();
  for (const DecidedOption& o : state_.options) {
    const auto file = gr_variables(file_config_, state_, nullptr);
    auto it = std::find_if(file.begin(), file.end(),
                           [&](const auto& v) { return v.first == "group_replication_" + o.name; });
    if (it != file.end() && it->second != o.value) {
      logger_.info("group: group_replication_{} is {} as decided in the group log (SET GLOBAL), "
                   "not {} from the configuration file",
                   o.name, o.value, it->second);
    }
  }
  for (const NodeConfig& node : file_config_.nodes) {
    const Member* m = find_member(state_, node.name);
    if (m != nullptr && m->weight_set && m->weight != node.weight) {
      logger_.info("group: member_weight of {} is {} as decided in the group log (SET GLOBAL), "
                   "not {} from the configuration file",
                   node.name, m->weight, node.weight);
    }
  }
}

void GroupController::set_option(const std::string& option, const std::string& value,
                                 const std::string& member_id, OpDone done) {
  auto checked = check_option(option, value);
  if (!checked) return done(invalid(checked.error()));
  if (!state_.bootstrapped() || stopping_) {
    return done(unavailable("the group is not bootstrapped: there is no group log entry to "
                            "record the option in yet"));
  }
  const std::string full = "group_replication_" + checked->option;
  if (checked->option == "member_weight") {
    if (member_id.empty()) return done(invalid(full + " is per member: name the member"));
    const Member* m = find_member(state_, member_id);
    if (m == nullptr) return done(invalid(no_member(member_id)));
    const std::string name = m->name;
    const auto weight = static_cast<uint32_t>(std::stoul(checked->value));
    if (m->weight != weight && !propose(MemberWeightChanged{m->member_id, weight})) {
      return done(std::unexpected(F{F::Kind::kFailed, "the group log did not record it"}));
    }
    kick();
    return done(full + " of " + name + " is " + checked->value);
  }
  if (decided_option(state_, checked->option) != checked->value &&
      !propose(OptionChanged{checked->option, checked->value})) {
    return done(std::unexpected(F{F::Kind::kFailed, "the group log did not record it"}));
  }
  done(full + " is " + checked->value);
}

std::vector<std::pair<std::string, std::string>> GroupController::variables(
    const std::string& member_id) const {
  const Member* m = find_member(state_, member_id);
  return gr_variables(config_, state_, m);
}

void GroupController::stop_member(const std::string& member_id, OpDone done) {
  const Member* m = find_member(state_, member_id);
  if (m == nullptr && !state_.bootstrapped() && configured_node(member_id) != nullptr)
    return done(unavailable("the group is not bootstrapped"));
  if (m == nullptr) return done(invalid(no_member(member_id)));
  if (stopping_) return done(unavailable("grouter is stopping"));
  auto plan = plan_stop(state_, *m, file_config_.nodes.size());
  if (!plan) return done(std::unexpected(plan.error()));
  const std::string id = m->member_id;
  const std::string name = m->name;
  if (plan->already_stopped) return done("member " + name + " is already stopped (OFFLINE)");
  for (const PendingOp& p : pending_stops_) {
    if (p.member_id == id) return done(unavailable("a stop of " + name + " is in progress"));
  }
  if (plan->switchover_to) {
    const Member* next = state_.find(*plan->switchover_to);
    logger_.info("group: stop of the primary {}: switchover to {} first", name,
                 next != nullptr ? next->name : *plan->switchover_to);
    set_as_primary(*plan->switchover_to,
                   [this, id, name, done = std::move(done)](std::expected<void, F> r) mutable {
                     if (!r) {
                       r.error().message = "cannot stop the primary " + name +
                                           ": the switchover before it failed: " +
                                           r.error().message;
                       return done(std::unexpected(r.error()));
                     }
                     stop_member(id, std::move(done));  // a secondary now: checked again
                   });
    return;
  }
  logger_.info("group: stop of {} ({}) requested", name, id);
  pending_stops_.push_back(PendingOp{id, std::move(done)});
  kick();
}

void GroupController::start_member(const std::string& member_id, OpDone done) {
  const Member* m = find_member(state_, member_id);
  if (m == nullptr && !state_.bootstrapped() && configured_node(member_id) != nullptr) {
    Member none;
    return done(std::unexpected(check_start(state_, none).error()));
  }
  if (m == nullptr) return done(invalid(no_member(member_id)));
  if (stopping_) return done(unavailable("grouter is stopping"));
  if (auto ok = check_start(state_, *m); !ok) return done(std::unexpected(ok.error()));
  const std::string name = m->name;
  const std::string state = std::string(to_string(m->state));
  if (!propose(MemberStarted{m->member_id})) {
    return done(std::unexpected(F{F::Kind::kFailed, "the group log did not record it"}));
  }
  kick();
  done("member " + name + " (" + state + ") started: it joins through distributed recovery");
}

const NodeConfig* GroupController::configured_node(const std::string& id_or_name) const {
  const Member* m = find_member(state_, id_or_name);
  const std::string name = m != nullptr ? m->name : id_or_name;
  for (const NodeConfig& n : file_config_.nodes) {
    if (n.name == name) return &n;
  }
  return nullptr;
}

void GroupController::bootstrap_group(const std::string& member_id, OpDone done) {
  const NodeConfig* node = configured_node(member_id);
  if (node == nullptr) return done(invalid(no_member(member_id)));
  if (stopping_) return done(unavailable("grouter is stopping"));
  if (auto ok = check_bootstrap(state_); !ok) return done(std::unexpected(ok.error()));
  std::vector<NodeHolding> holdings;
  for (const auto& n : nodes_) {
    NodeHolding h{n->config.name, n->answered && n->facts.has_value(), {}};
    if (n->facts) h.executed = n->facts->current_pos;
    holdings.push_back(std::move(h));
  }
  if (auto ok = check_bootstrap_node(holdings, node->name); !ok) {
    return done(std::unexpected(ok.error()));
  }
  if (pending_bootstrap_) {
    return done(unavailable("a bootstrap on " + pending_bootstrap_->member_id + " is in progress"));
  }
  logger_.info("group: bootstrap on {} requested", node->name);
  pending_bootstrap_ = PendingOp{node->name, std::move(done)};
  kick();
}

void GroupController::answer_pending_ops() {
  for (size_t i = 0; i < pending_stops_.size();) {
    const Member* m = state_.find(pending_stops_[i].member_id);
    std::optional<std::expected<std::string, F>> answer;
    if (m == nullptr) {
      answer = unavailable("the member left the configuration");
    } else if (m->stopped) {
      answer = "member " + m->name + " left the group (OFFLINE, stopped)";
    } else if (auto plan = plan_stop(state_, *m, file_config_.nodes.size()); !plan) {
      answer = std::unexpected(plan.error());
    } else if (plan->switchover_to) {
      answer = unavailable(m->name + " became the primary before it could be stopped");
    }
    if (!answer) {
      ++i;
      continue;
    }
    auto done = std::move(pending_stops_[i].done);
    pending_stops_.erase(pending_stops_.begin() + static_cast<std::ptrdiff_t>(i));
    done(std::move(*answer));
  }
  if (pending_bootstrap_) {
    const Member* m = find_member(state_, pending_bootstrap_->member_id);
    if (m != nullptr && state_.primary == m->member_id) {
      auto done = std::move(pending_bootstrap_->done);
      const std::string text = "group " + state_.group_name + " bootstrapped with " + m->name +
                               " as primary (view " + to_string(state_.view_id) + ")";
      pending_bootstrap_.reset();
      done(text);
    } else if (state_.bootstrapped() && !state_.view_member_ids().empty() &&
               (m == nullptr || !m->in_view)) {
      auto done = std::move(pending_bootstrap_->done);
      pending_bootstrap_.reset();
      done(unavailable("the group was formed without " + (m != nullptr ? m->name : "it")));
    }
  }
}

void GroupController::fail_pending_ops(const std::string& why) {
  auto stops = std::move(pending_stops_);
  pending_stops_.clear();
  for (PendingOp& p : stops) p.done(unavailable(why));
  if (pending_bootstrap_) {
    auto done = std::move(pending_bootstrap_->done);
    pending_bootstrap_.reset();
    done(unavailable(why));
  }
}

}  // namespace grouter::metadata
