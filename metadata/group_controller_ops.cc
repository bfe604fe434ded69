// The group controller's operations: the SQL sequences that make the storage nodes match a
// decision (form, fail over, switch over, fence, rejoin and recover, repoint, promote). Each is
// idempotent and re-checked against fresh probes afterwards.
#include "metadata/group_controller.h"

#include "metadata/controller_support.h"
#include "metadata/election.h"

namespace grouter::metadata {

Task<GroupController::OpResult> GroupController::form_group(Node* primary, std::string why) {
  if (auto ok = co_await promote(primary); !ok) co_return ok;
  if (auto ok = co_await make_writable(primary); !ok) co_return ok;
  const std::string id = primary->config.member_id;
  propose(MemberJoined{id});
  propose(MemberOnline{id});
  propose(PrimaryElected{id, primary->config.name + " " + why});
  co_return OpResult{};
}

Task<GroupController::OpResult> GroupController::switch_over(std::string target_id) {
  auto done = std::move(switchover_->done);
  switchover_.reset();
  using F = SwitchoverFailure;
  Node* target = node_by_id(target_id);
  Node* old = state_.primary ? node_by_id(*state_.primary) : nullptr;
  const Member* tm = state_.find(target_id);
  if (target == nullptr || old == nullptr || tm == nullptr || tm->state != MemberState::kOnline) {
    done(std::unexpected(F{F::Kind::kUnavailable, "the group changed before the switchover ran"}));
    co_return OpResult{};
  }
  // New work waits while the old primary drains; its sessions are closed.
  primary_held_ = true;
  publish();
  auto fail = [&](std::string why) {
    primary_held_ = false;
    publish();
    done(std::unexpected(F{F::Kind::kFailed, why}));
    return std::unexpected(why);
  };
  if (auto ok = co_await run(old, std::vector<std::string>(1, "SET GLOBAL read_only = ON")); !ok)
    co_return fail(ok.error());
  auto position = co_await executed(old);
  if (!position) {
    (void)co_await run(old, std::vector<std::string>(1, "SET GLOBAL read_only = OFF"));
    co_return fail(position.error());
  }
  if (auto ok = co_await wait_executed(target, *position, config_.catch_up_timeout_ms); !ok) {
    (void)co_await run(old, std::vector<std::string>(1, "SET GLOBAL read_only = OFF"));
    co_return fail(ok.error());
  }
  if (auto ok = co_await fence(old, "switchover to " + target->config.name); !ok) {
    co_return fail(ok.error());
  }
  if (auto ok = co_await promote(target); !ok) co_return fail(ok.error());
  for (auto& node : nodes_) {
    const Member* m = member(*node);
    if (node.get() == target || m == nullptr || !m->in_view ||
        m->state == MemberState::kUnreachable)
      continue;
    if (auto ok = co_await repoint(node.get(), target); !ok) {
      logger_.warning("group: switchover: cannot point {} at {}: {}", node->config.name,
                      target->config.name, ok.error());
    }
  }
  if (auto ok = co_await make_writable(target); !ok) co_return fail(ok.error());
  primary_held_ = false;
  propose(PrimaryElected{target_id, target->config.name + " by switchover (set_as_primary)"});
  done({});
  co_return OpResult{};
}

Task<GroupController::OpResult> GroupController::fence(Node* node, std::string why) {
  // Clients first: a commit waiting for a semi-sync acknowledgement holds up SET GLOBAL read_only.
  // Then again, for any that connected in between.
  auto killed = co_await kill_clients(node);
  if (!killed) co_return std::unexpected(killed.error());
  std::vector<std::string> fencing = {"SET GLOBAL read_only = ON",
                                      "SET GLOBAL rpl_semi_sync_master_enabled = OFF"};
  if (auto ok = co_await run(node, std::move(fencing)); !ok) co_return ok;
  auto again = co_await kill_clients(node);
  if (!again) co_return std::unexpected(again.error());
  logger_.info(
      "group: fenced {}: read_only=ON, semi-sync master OFF, {} client connection(s) "
      "killed ({})",
      node->config.name, *killed + *again, why);
  co_return OpResult{};
}

Task<std::expected<size_t, std::string>> GroupController::kill_clients(Node* node) {
  auto clients =
      co_await sql(node,
                   "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND "
                   "COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Slave_IO', "
                   "'Slave_SQL', 'Slave_worker', 'Killed') AND USER NOT IN ('system user', "
                   "'event_scheduler', " +
                       quote(config_.cluster_user) + ", " + quote(config_.recovery_user) + ")");
  if (!clients) co_return std::unexpected(node->config.name + ": " + clients.error().to_string());
  size_t killed = 0;
  for (const auto& row : clients->rows) {
    if (row.empty() || !row[0]) continue;
    if (co_await sql(node, "KILL CONNECTION " + *row[0])) ++killed;
  }
  co_return killed;
}

Task<GroupController::OpResult> GroupController::rejoin(Node* node, Node* donor) {
  const Member* m = member(*node);
  if (m == nullptr) co_return std::unexpected("unknown node");
  if (!node->facts->read_only || node->facts->semi_sync_master_enabled) {
    if (auto ok = co_await fence(node, "rejoining"); !ok) co_return ok;
  }
  if (!propose(MemberJoined{m->member_id})) co_return std::unexpected("cannot record the join");
  co_return co_await start_recovery(node, donor);
}

Task<GroupController::OpResult> GroupController::start_recovery(Node* node, Node* donor) {
  const Member* m = member(*node);
  if (m == nullptr || !m->in_view) co_return OpResult{};
  const std::string id = m->member_id;
  const std::string donor_id = donor->config.member_id;
  Node* primary = state_.primary ? node_by_id(*state_.primary) : donor;
  if (primary == nullptr) co_return std::unexpected("the primary is not configured");
  // What it received is applied first (CHANGE MASTER would delete it), then checked like the rest.
  if (auto stopped = co_await run(node, std::vector<std::string>(1, "STOP SLAVE IO_THREAD"));
      !stopped)
    co_return stopped;
  if (auto drained = co_await drain_relay_log(node); !drained)
    co_return std::unexpected(drained.error());
  // Errant transactions: anything the joiner has that the group cannot have.
  auto mine = co_await run(node, std::vector<std::string>(1, "STOP SLAVE"));
  if (!mine) co_return mine;
  auto joiner =
      co_await sql(node, "SELECT @@gtid_binlog_pos, @@gtid_slave_pos, @@gtid_binlog_state");
  if (!joiner) co_return std::unexpected(node->config.name + ": " + joiner.error().to_string());
  auto binlog = parse_gtid_position(position_column(*joiner, 0));
  auto slave = parse_gtid_position(position_column(*joiner, 1));
  auto joiner_state = parse_gtid_state(position_column(*joiner, 2));
  auto group = co_await sql(primary, "SELECT @@gtid_current_pos, @@gtid_binlog_state");
  if (!binlog || !slave || !joiner_state) {
    co_return std::unexpected(node->config.name + ": malformed GTID position");
  }
  if (!group) co_return std::unexpected(primary->config.name + ": " + group.error().to_string());
  auto group_has = parse_gtid_position(position_column(*group, 0));
  auto group_state = parse_gtid_state(position_column(*group, 1));
  if (!group_has || !group_state)
    co_return std::unexpected(primary->config.name + ": malformed GTID position");
  std::optional<std::string> errant = errant_against(*binlog, *group_has);
  if (!errant) errant = errant_in_state(*joiner_state, *group_state);
  if (errant) {
    MemberError error{id, "errant transactions: " + *errant +
                              "; they were never replicated to the group and are not merged"};
    error.errant = true;
    propose(error);
    co_return OpResult{};
  }
  // What it wrote itself is in the group: from now on, a new write of its own is errant.
  if (!propose(OwnWritesRecorded{id, to_string(written_by(*binlog, node->facts->server_id))}))
    co_return std::unexpected("cannot record " + node->config.name + "'s own writes");
  auto target = co_await executed(donor);
  if (!target) co_return std::unexpected(target.error());
  const GtidPosition start = merge_newest(*slave, *binlog);
  std::vector<std::string> statements;
  if (!(start == *slave))
    statements.push_back("SET GLOBAL gtid_slave_pos = " + quote(to_string(start)));
  for (auto& s : replicate_from(*donor)) statements.push_back(std::move(s));
  if (auto ok = co_await run(node, statements); !ok) co_return ok;
  if (!propose(RecoveryStarted{id, donor_id, to_string(*target), static_cast<uint64_t>(epoch_ms())}))
    co_return std::unexpected("cannot record the recovery of " + node->config.name);
  const Member* now = state_.find(id);
  logger_.info("group: recovery of {}: donor {} ({} transaction(s) behind, attempt {})",
               node->config.name, donor->config.name, transactions_behind(start, *target),
               now != nullptr && now->recovery ? now->recovery->attempts : 0);
  co_return OpResult{};
}

Task<GroupController::OpResult> GroupController::finish_recovery(Node* node, Node* primary,
                                                                 std::string member_id) {
  if (auto ok = co_await repoint(node, primary); !ok) co_return ok;
  const Member* m = state_.find(member_id);
  if (m != nullptr && m->in_view && m->state == MemberState::kRecovering)
    propose(MemberOnline{member_id});
  co_return OpResult{};
}

std::vector<std::string> GroupController::replicate_from(const Node& source) const {
  return {"STOP SLAVE",
          "SET GLOBAL read_only = ON",
          "SET GLOBAL rpl_semi_sync_master_enabled = OFF",
          "SET GLOBAL rpl_semi_sync_slave_enabled = ON",
          "CHANGE MASTER TO MASTER_HOST = " + quote(source.config.host) +
              ", MASTER_PORT = " + std::to_string(source.config.port) +
              ", MASTER_USER = " + quote(config_.recovery_user) +
              ", MASTER_PASSWORD = " + quote(config_.recovery_password) +
              ", MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
          "START SLAVE"};
}

Task<GroupController::OpResult> GroupController::repoint(Node* node, Node* source) {
  if (auto safe = co_await safe_to_repoint(node, source); !safe) co_return safe;
  auto ok = co_await run(node, replicate_from(*source));
  if (ok) logger_.info("group: {} replicates from {}", node->config.name, source->config.name);
  co_return ok;
}

Task<GroupController::OpResult> GroupController::promote(Node* node) {
  std::vector<std::string> statements = {"STOP SLAVE", "RESET SLAVE ALL"};
  for (auto& s : semi_sync_master_settings()) statements.push_back(std::move(s));
  co_return co_await run(node, std::move(statements));
}

std::vector<std::string> GroupController::semi_sync_master_settings() const {
  // Never a silent fallback to asynchronous replication: commits wait for a replica however long.
  return {"SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC",
          "SET GLOBAL rpl_semi_sync_master_wait_no_slave = ON",
          "SET GLOBAL rpl_semi_sync_master_timeout = " + std::to_string(kSemiSyncMasterTimeoutMs),
          nodes_.size() > 1 ? "SET GLOBAL rpl_semi_sync_master_enabled = ON"
                            : "SET GLOBAL rpl_semi_sync_master_enabled = OFF"};
}

Task<GroupController::OpResult> GroupController::make_writable(Node* node) {
  if (auto ok = co_await promote(node); !ok) co_return ok;
  // With a replica in the view, lift read_only only once one acknowledges semi-sync, so that no
  // write is acknowledged before it is on a second node. (A node alone forms the group writable:
  // its writes wait for the first replica, which rpl_semi_sync_master_wait_no_slave makes them do.)
  size_t others = 0;
  for (auto& n : nodes_) {
    const Member* m = member(*n);
    if (n.get() != node && m != nullptr && m->in_view && m->state != MemberState::kUnreachable)
      ++others;
  }
  if (others > 0) {
    if (auto ok = co_await wait_semi_sync_client(node, 5000); !ok) {
      logger_.warning("group: {}: {}; making it writable anyway (writes wait for a replica)",
                      node->config.name, ok.error());
    }
  }
  auto ok = co_await run(node, std::vector<std::string>(1, "SET GLOBAL read_only = OFF"));
  if (ok) logger_.info("group: {} is writable", node->config.name);
  co_return ok;
}

Task<GroupController::OpResult> GroupController::stop_receiving(std::vector<Node*> members) {
  const auto results = co_await sql_all(members, "STOP SLAVE IO_THREAD");
  for (size_t i = 0; i < members.size(); ++i) {
    if (!results[i]) {
      logger_.warning("group: {}: STOP SLAVE IO_THREAD: {}", members[i]->config.name,
                      results[i].error().to_string());
    }
  }
  co_return OpResult{};
}

}  // namespace grouter::metadata
