// The group controller's failover: it freezes and reads the nodes, asks the pure rule
// (failover.h) whether and how to promote, records the intent (FailoverDecided) before the first
// statement that changes a node, re-checks the plan before each such step, and runs it. Also the
// relay-log care that keeps received transactions when a node's replication is changed, and
// force_members.
#include <algorithm>

#include "metadata/controller_support.h"
#include "metadata/group_controller.h"

namespace grouter::metadata {
namespace {

constexpr std::string_view kAllRelayLogRead = "Slave has read all relay log";

// One column of the first row of SHOW SLAVE STATUS ("" when absent or NULL).
std::string slave_column(const sql::ResultSet& status, const char* name) {
  auto index = status.column_index(name);
  return index ? position_column(status, *index) : std::string();
}

// The relay log file after FILE ("mysqld-relay-bin.000002" → "mysqld-relay-bin.000003"); "" when
// FILE has no numeric suffix.
std::string next_relay_file(const std::string& file) {
  const size_t dot = file.rfind('.');
  if (dot == std::string::npos || dot + 1 >= file.size()) return "";
  const std::string digits = file.substr(dot + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return "";
  std::string next = std::to_string(std::stoull(digits) + 1);
  if (next.size() < digits.size()) next.insert(0, digits.size() - next.size(), '0');
  return file.substr(0, dot + 1) + next;
}

// The GTID of a Gtid event's Info ("BEGIN GTID 0-1-10", "GTID 0-1-3"), if it parses.
std::optional<Gtid> gtid_of_info(const std::string& info) {
  const size_t at = info.find("GTID ");
  if (at == std::string::npos) return std::nullopt;
  const size_t start = at + 5;
  const size_t end = info.find(' ', start);
  auto position =
      parse_gtid_position(info.substr(start, end == std::string::npos ? end : end - start));
  if (!position || position->domains.size() != 1) return std::nullopt;
  return position->domains.begin()->second;
}

}  // namespace

Task<std::expected<std::optional<std::pair<std::string, std::string>>, std::string>>
GroupController::first_unapplied_relay_event(Node* node, std::string file, GtidPosition applied) {
  // relay-log.info is not synced at every transaction: after a crash it may point at events the
  // node applied already (gtid_strict_mode then stops the applier). So the relay log is read from
  // there for the first transaction beyond what the node executed.
  constexpr int kPage = 500;
  constexpr int kMaxFiles = 1000;
  for (int files = 0; files < kMaxFiles && !file.empty(); ++files) {
    for (uint64_t offset = 0;; offset += kPage) {
      auto page = co_await sql(node, "SHOW RELAYLOG EVENTS IN " + quote(file) + " LIMIT " +
                                         std::to_string(offset) + ", " + std::to_string(kPage));
      if (!page) {
        if (page.error().code == 1220) co_return std::nullopt;  // no such file: all read
        co_return std::unexpected(node->config.name + ": " + page.error().to_string());
      }
      const auto pos = page->column_index("Pos");
      const auto type = page->column_index("Event_type");
      const auto info = page->column_index("Info");
      if (!pos || !type || !info)
        co_return std::unexpected(node->config.name + ": unexpected SHOW RELAYLOG EVENTS");
      for (const auto& row : page->rows) {
        if (row[*type].value_or("") != "Gtid") continue;
        const auto gtid = gtid_of_info(row[*info].value_or(""));
        if (!gtid) continue;
        auto it = applied.domains.find(gtid->domain);
        if (it == applied.domains.end() || it->second.seq < gtid->seq)
          co_return std::make_pair(file, row[*pos].value_or("4"));
      }
      if (page->rows.size() < static_cast<size_t>(kPage)) break;
    }
    file = next_relay_file(file);
  }
  co_return std::nullopt;
}

// The relay log a node kept across a restart: MariaDB purges it when replication next starts in
// GTID mode, so it is applied first in file mode, from where the applier stopped.
Task<GroupController::OpResult> GroupController::apply_kept_relay_log(Node* node) {
  // The applier may be at it already (in file mode, started by an earlier grouter): stopped, so
  // that where it is and what it applied stay put while they are read.
  if (auto ok = co_await run(node, std::vector<std::string>(1, "STOP SLAVE SQL_THREAD")); !ok)
    co_return ok;
  auto status = co_await sql(node, "SHOW SLAVE STATUS");
  if (!status) co_return std::unexpected(node->config.name + ": " + status.error().to_string());
  auto has = co_await executed(node);
  if (!has) co_return std::unexpected(has.error());
  auto first =
      co_await first_unapplied_relay_event(node, slave_column(*status, "Relay_Log_File"), *has);
  if (!first) co_return std::unexpected(first.error());
  if (!*first) {
    // Everything in it is applied: back to GTID mode, which deletes it.
    co_return co_await run(
        node, std::vector<std::string>(1, "CHANGE MASTER TO MASTER_USE_GTID = slave_pos"));
  }
  const std::string file = (*first)->first;
  const std::string position = (*first)->second;
  logger_.info(
      "group: {} restarted with a relay log ({} at {}): applying it before anything "
      "else, so that transactions it received are not purged",
      node->config.name, file, position);
  // (No braced lists of strings in coroutines: GCC 12 rejects them.)
  std::vector<std::string> statements;
  statements.push_back("CHANGE MASTER TO MASTER_USE_GTID = no, RELAY_LOG_FILE = " + quote(file) +
                       ", RELAY_LOG_POS = " + position);
  statements.push_back("START SLAVE SQL_THREAD");
  if (auto ok = co_await run(node, std::move(statements)); !ok) co_return ok;
  const int64_t deadline = monotonic_ms() + config_.catch_up_timeout_ms;
  while (true) {
    auto r = co_await sql(node, "SHOW SLAVE STATUS");
    if (!r) co_return std::unexpected(node->config.name + ": " + r.error().to_string());
    if (slave_column(*r, "Slave_SQL_Running") != "Yes") {
      co_return std::unexpected(node->config.name + ": applying its kept relay log stopped: " +
                                slave_column(*r, "Last_SQL_Error"));
    }
    if (slave_column(*r, "Slave_SQL_Running_State").starts_with(kAllRelayLogRead)) break;
    if (monotonic_ms() >= deadline || stopping_)
      co_return std::unexpected(node->config.name + ": its kept relay log was not applied within " +
                                std::to_string(config_.catch_up_timeout_ms) + " ms");
    co_await sleep(20);
  }
  // Applied: back to GTID mode (which now deletes only applied relay logs).
  std::vector<std::string> back(1, "STOP SLAVE SQL_THREAD");
  back.push_back("CHANGE MASTER TO MASTER_USE_GTID = slave_pos");
  co_return co_await run(node, std::move(back));
}

Task<std::expected<FailoverRead, std::string>> GroupController::read_positions(Node* node) {
  auto status = co_await sql(node, "SHOW SLAVE STATUS");
  if (!status) co_return std::unexpected(node->config.name + ": " + status.error().to_string());
  // Restarted (GTID mode, both threads stopped), or its kept relay log half applied in file mode
  // (a grouter stopped mid-way): either way what the relay log holds is in no position yet.
  const std::string using_gtid = slave_column(*status, "Using_Gtid");
  if (!status->rows.empty() && slave_column(*status, "Slave_IO_Running") == "No" &&
      (using_gtid == "No" ||
       (using_gtid == "Slave_Pos" && slave_column(*status, "Slave_SQL_Running") == "No")) &&
      slave_column(*status, "Gtid_IO_Pos").empty() &&
      !slave_column(*status, "Relay_Log_File").empty()) {
    if (auto ok = co_await apply_kept_relay_log(node); !ok)
      co_return std::unexpected(ok.error());
    status = co_await sql(node, "SHOW SLAVE STATUS");
    if (!status) co_return std::unexpected(node->config.name + ": " + status.error().to_string());
  }
  FailoverRead read;
  if (!status->rows.empty()) {
    auto received = parse_gtid_position(slave_column(*status, "Gtid_IO_Pos"));
    if (!received) co_return std::unexpected(node->config.name + ": malformed Gtid_IO_Pos");
    read.received = *received;
  }
  auto done = co_await executed(node);
  if (!done) co_return std::unexpected(done.error());
  read.executed = *done;
  co_return read;
}

Task<std::expected<FailoverRead, std::string>> GroupController::drain_relay_log(Node* node) {
  auto read = co_await read_positions(node);
  if (!read || covers(read->executed, read->received)) co_return read;
  // What it received and has not applied yet: applied now (an applier stopped on an error makes
  // this time out: the caller then leaves the node's replication alone).
  if (auto ok = co_await wait_executed(node, read->received, config_.catch_up_timeout_ms); !ok)
    co_return std::unexpected(ok.error());
  auto now = co_await executed(node);
  if (!now) co_return std::unexpected(now.error());
  read->executed = *now;
  co_return read;
}

Task<GroupController::OpResult> GroupController::safe_to_repoint(Node* node, Node* source) {
  auto stopped = co_await run(node, std::vector<std::string>(1, "STOP SLAVE IO_THREAD"));
  if (!stopped) co_return stopped;
  auto read = co_await read_positions(node);
  if (!read) co_return std::unexpected(read.error());
  if (covers(read->executed, read->received)) co_return OpResult{};
  auto has = co_await executed(source);
  if (!has) co_return std::unexpected(has.error());
  if (covers(*has, read->received)) co_return OpResult{};
  // Neither has them yet: let the node apply them.
  read = co_await drain_relay_log(node);
  if (read && covers(read->executed, read->received)) co_return OpResult{};
  has = co_await executed(source);
  if (!has) co_return std::unexpected(has.error());
  if (covers(*has, read->received)) co_return OpResult{};
  co_return std::unexpected(node->config.name + " holds received transactions up to " +
                            to_string(read->received) + " that it has not applied and " +
                            source->config.name + " lacks (it has " + to_string(*has) +
                            "): its replication is left as it is, so that they are not deleted");
}

FailoverInput GroupController::failover_input(const std::map<Node*, FailoverRead>& reads) const {
  FailoverInput input;
  input.state = &state_;
  if (state_.failover) {
    input.old_primary = state_.failover->old_primary;
    if (auto floor = parse_gtid_position(state_.failover->target)) input.floor = *floor;
    if (!state_.failover->forced_members.empty())
      input.forced_members = split_ids(state_.failover->forced_members);
  }
  for (const auto& node : nodes_) {
    if (node->config.member_id.empty()) continue;
    FailoverNode n{node->config.member_id, node->config.host, node->config.port, node->facts, {},
                   node->facts_started_ms >= node->replication_changed_ms, node->dead_bound};
    if (auto it = reads.find(node.get()); it != reads.end()) n.read = it->second;
    input.nodes.push_back(std::move(n));
  }
  return input;
}

Task<std::map<GroupController::Node*, FailoverRead>> GroupController::freeze_and_read() {
  // Every node whose last probe answered: one that did not (a hung or dead old primary) would
  // cost a connect timeout at each read and re-check. A possible holder left out this way is
  // waited for by the rule, and read at the next attempt once a probe answers again.
  std::vector<Node*> all;
  for (auto& node : nodes_) {
    if (!node->config.member_id.empty() && node->answered) all.push_back(node.get());
  }
  // In parallel: a receiver still connected to a hung primary takes MariaDB about 2 s to stop.
  const auto stops = co_await sql_all(all, "STOP SLAVE IO_THREAD");
  std::map<Node*, FailoverRead> reads;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!stops[i]) continue;  // no answer: not read
    auto read = co_await read_positions(all[i]);
    if (read) {
      reads[all[i]] = *read;
    } else {
      logger_.warning("group: failover: cannot read {}: {}", all[i]->config.name, read.error());
    }
  }
  co_return reads;
}

Task<GroupController::OpResult> GroupController::recheck(const FailoverPlan& plan) {
  if (!state_.failover || state_.failover->term != state_.term)
    co_return std::unexpected("the failover was taken over by a newer term");
  auto reads = co_await freeze_and_read();
  if (auto changed = recheck_failover(plan, failover_input(reads)))
    co_return std::unexpected("the plan no longer holds: " + *changed);
  co_return OpResult{};
}

Task<GroupController::OpResult> GroupController::fail_over(std::string why) {
  auto reads = co_await freeze_and_read();
  const FailoverDecision decision = decide_failover(failover_input(reads));
  if (const auto* wait = std::get_if<FailoverWait>(&decision)) {
    const std::string missing = join_ids(wait->missing);
    if (state_.failover &&
        (state_.failover->waiting != wait->reason || state_.failover->missing != missing))
      propose(FailoverWaiting{state_.term, wait->reason, missing});
    answer_force("", wait->reason);
    failover_retry_at_ms_ = epoch_ms() + config_.detector.probe_interval_ms;
    co_return OpResult{};
  }
  const FailoverPlan plan = std::get<FailoverPlan>(decision);
  // The intent, durable before the first statement that changes a node.
  if (!propose(FailoverDecided{state_.term, plan.winner, to_string(plan.target), plan.may_lose}))
    co_return std::unexpected("cannot record the failover decision");
  if (state_.failover && !state_.failover->forced_members.empty()) {
    logger_.error("group: failover under force_members: may be lost: {}",
                  plan.may_lose.empty() ? "nothing known" : plan.may_lose);
  }
  answer_force(plan.may_lose, "");
  Node* winner = node_by_id(plan.winner);
  if (winner == nullptr) co_return std::unexpected("unknown member " + plan.winner);
  logger_.info("group: failover: {} ({}) {}; it must hold {}{}", winner->config.name, plan.winner,
               why, to_string(plan.target),
               plan.donor ? " (from " + node_by_id(*plan.donor)->config.name + ")" : "");
  if (config_.eventual)
    propose(PrimaryElected{
        plan.winner, winner->config.name + " " + why + " (EVENTUAL: published before catch-up)",
        /*provisional=*/true});
  if (plan.donor) {
    Node* donor = node_by_id(*plan.donor);
    // The donor serves the target from its binary log once it applied it; the winner applies
    // what it received first, so that changing its source deletes nothing.
    if (auto ok = co_await wait_executed(donor, plan.target, config_.catch_up_timeout_ms); !ok)
      co_return ok;
    if (auto ok =
            co_await wait_executed(winner, reads[winner].received, config_.catch_up_timeout_ms);
        !ok)
      co_return ok;
    if (auto ok = co_await recheck(plan); !ok) co_return ok;
    if (auto ok = co_await run(winner, replicate_from(*donor)); !ok) co_return ok;
    logger_.info("group: failover: {} catches up from {}", winner->config.name, donor->config.name);
  }
  if (auto ok = co_await wait_executed(winner, plan.target, config_.catch_up_timeout_ms); !ok)
    co_return ok;
  if (auto ok = co_await recheck(plan); !ok) co_return ok;
  if (auto ok = co_await promote(winner); !ok) co_return ok;
  for (const std::string& id : plan.others) {
    Node* node = node_by_id(id);
    // Each holds nothing beyond the target, which the winner has: repointing loses nothing.
    if (auto ok = co_await repoint(node, winner); !ok) {
      logger_.warning("group: failover: cannot point {} at {}: {}", node->config.name,
                      winner->config.name, ok.error());
    }
  }
  if (auto ok = co_await make_writable(winner); !ok) co_return ok;
  if (const Member* m = state_.find(plan.winner);
      m != nullptr && m->state == MemberState::kRecovering) {
    propose(MemberOnline{plan.winner});
  }
  propose(PrimaryElected{plan.winner, winner->config.name + " " + why});
  co_return OpResult{};
}

void GroupController::force_members(const std::vector<std::string>& members, ForceDone done) {
  using F = SwitchoverFailure;
  if (members.empty())
    return done(std::unexpected(F{F::Kind::kInvalidRequest, "members is empty"}));
  for (const std::string& id : members) {
    const Member* m = state_.find(id);
    if (m == nullptr)
      return done(
          std::unexpected(F{F::Kind::kInvalidRequest, "no member " + id + " in the group"}));
    if (!m->in_view)
      return done(
          std::unexpected(F{F::Kind::kInvalidRequest, "member " + id + " is not in the view"}));
  }
  const Member* primary = state_.primary ? state_.find(*state_.primary) : nullptr;
  if (primary != nullptr && primary->state == MemberState::kOnline) {
    return done(std::unexpected(
        F{F::Kind::kUnavailable, "the group has an ONLINE primary: force_members is refused"}));
  }
  if (pending_force_)
    return done(std::unexpected(F{F::Kind::kUnavailable, "another force_members is in progress"}));
  if (!propose(MembersForced{join_ids(members)}))
    return done(std::unexpected(F{F::Kind::kFailed, "cannot record force_members"}));
  logger_.error("group: force_members: the view becomes {} (view {})", join_ids(members),
                to_string(state_.view_id));
  // Answered once the failover among them decides (answer_force): what may be lost is known then.
  pending_force_ = std::move(done);
  failover_retry_at_ms_ = 0;
  kick();
}

void GroupController::answer_force(const std::string& may_lose, const std::string& waiting) {
  if (!pending_force_) return;
  auto done = std::move(pending_force_);
  pending_force_ = nullptr;
  done(ForceResult{to_string(state_.view_id), may_lose, waiting});
}

}  // namespace grouter::metadata
