// The group controller: probes in, entries and SQL out. See group_controller.h for the order of
// decisions; docs/group-replication.md for the statements and timings.
#include "metadata/group_controller.h"

#include <algorithm>
#include <chrono>
#include <random>

#include "group/local_group_log.h"
#include "metadata/apply.h"
#include "metadata/election.h"
#include "metadata/entry_codec.h"
#include "metadata/member_id.h"
#include "metadata/quorum.h"
#include "metadata/state_codec.h"

namespace grouter::metadata {
namespace {

using Kind = sql::SqlError::Kind;

int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A string literal for SQL: quotes and backslashes escaped.
std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

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
        } else {
          return "member " + e.member_id + " weight " + std::to_string(e.weight);
        }
      },
      entry);
}

std::string position_column(const sql::ResultSet& result, size_t column) {
  if (result.rows.empty() || result.rows[0].size() <= column || !result.rows[0][column]) return "";
  return *result.rows[0][column];
}

}  // namespace

GroupController::GroupController(uv_loop_t* loop, Logger logger, ControllerConfig config,
                                 PublishState publish)
    : loop_(loop),
      logger_(std::move(logger)),
      config_(std::move(config)),
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
  if (!log) return std::unexpected("group log in " + raw->config_.state_folder + ": " + log.error().message());
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
          (known->in_view || (known->host == node->config.host && known->port == node->config.port &&
                              known->weight == node->config.weight))) {
        continue;
      }
      NodeConfig added = node->config;
      added.member_id = known != nullptr && !known->member_id.empty() ? known->member_id
                                                                       : make_member_id(raw->random_);
      if (!raw->propose(MemberAdded{added})) {
        return std::unexpected("cannot record storage node " + node->config.name + " in the group");
      }
    }
  }
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

GroupController::Node* GroupController::node_by_address(const std::string& host, uint16_t port) {
  for (auto& node : nodes_) {
    if (node->config.host == host && node->config.port == port) return node.get();
  }
  return nullptr;
}

bool GroupController::fresh(const Node& node) const {
  return node.answered && node.facts && node.facts_started_ms >= node.settled_ms;
}

void GroupController::log_once(const std::string& key, const std::string& message) {
  auto [it, inserted] = said_.emplace(key, message);
  if (!inserted && it->second == message) return;
  it->second = message;
  logger_.info("group: {}", message);
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
  for (const auto& node : nodes_) targets.push_back({node->config.name, node->config.host, node->config.port});
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
  if (result.outcome == ProbeOutcome::kOk && result.facts) {
    node->facts = result.facts;
    node->facts_started_ms = result.started_ms;
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
                            std::to_string(config_.detector.suspicion_timeout_ms) +
                            " ms (" + result.error + ")";
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

void GroupController::on_round() {
  if (stopping_) return;
  const int64_t now = monotonic_ms();
  handle_events(detector_.tick(now));
  check_majority(now);
}

RouteAccess GroupController::access() const {
  if (exit_action_applied_) {
    return config_.exit_action == ExitAction::kReadOnly ? RouteAccess::kNoPrimary : RouteAccess::kNone;
  }
  return primary_held_ ? RouteAccess::kNoPrimary : RouteAccess::kAll;
}

void GroupController::check_majority(int64_t now_ms) {
  if (!state_.bootstrapped() || state_.view_member_ids().empty()) return;
  if (has_majority(state_)) {
    if (exit_action_applied_) {
      logger_.info("group: a majority of view {} is reachable again: routes serve the group again",
                   to_string(state_.view_id));
      exit_action_applied_ = false;
      publish();
    }
    no_majority_since_ms_ = 0;
    return;
  }
  if (no_majority_since_ms_ == 0) no_majority_since_ms_ = now_ms;
  const int64_t timeout = config_.unreachable_majority_timeout_ms;
  if (timeout <= 0 || exit_action_applied_ || now_ms - no_majority_since_ms_ < timeout) return;
  exit_action_applied_ = true;
  const char* action = config_.exit_action == ExitAction::kReadOnly      ? "READ_ONLY: reads only"
                       : config_.exit_action == ExitAction::kAbortServer ? "ABORT_SERVER: grouter stops"
                                                                          : "OFFLINE_MODE: no traffic";
  logger_.error("group: a majority of view {} has been unreachable for {} ms "
                "(unreachable_majority_timeout): exit_state_action={}",
                to_string(state_.view_id), now_ms - no_majority_since_ms_, action);
  publish();
  if (config_.exit_action == ExitAction::kAbortServer && on_abort_) on_abort_();
}

void GroupController::handle_events(const std::vector<DetectorEvent>& events) {
  for (const DetectorEvent& event : events) {
    const Member* m = state_.find(event.member_id);
    if (m == nullptr) continue;
    switch (event.kind) {
      case DetectorEvent::Kind::kSuspect:
        if (m->in_view && m->state != MemberState::kUnreachable) {
          propose(MemberSuspected{event.member_id});
          logger_.info("group: {} ({}) suspected: {}", m->name, event.member_id,
                       suspect_reason_[event.member_id]);
        }
        break;
      case DetectorEvent::Kind::kRecovered:
        expel_due_.erase(event.member_id);
        if (m->in_view && m->state == MemberState::kUnreachable) {
          propose(MemberReachable{event.member_id});
        }
        break;
      case DetectorEvent::Kind::kExpelDue:
        if (m->in_view) expel_due_[event.member_id] = suspect_reason_[event.member_id];
        break;
    }
  }
  if (!events.empty()) kick();
}

// ---------------------------------------------------------------------------------------------
// Deciding

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
    log_once("bootstrap", "waiting for a majority of the storage nodes to answer before "
                          "bootstrapping (" + std::to_string(answered) + " of " +
                              std::to_string(nodes_.size()) + ")");
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
      std::string why = state_.primary ? "it is not the primary of view " + to_string(state_.view_id)
                                       : "the group has no primary";
      start_op("fence " + node->config.name, fence(node.get(), why), {node.get()});
      return true;
    }
  }
  return false;
}

void GroupController::restore_primary() {
  if (state_.view_member_ids().empty()) {
    // Form the group: the nodes that answer and meet the requirements.
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
      const bool source_ok = std::find(candidates.begin(), candidates.end(), source) != candidates.end() &&
                             !(source->facts->replica && !source->facts->replica->source_host.empty());
      if (source_ok) {
        start_op("form the group", form_group(source, "kept: the other nodes already replicate from it"),
                 {source});
        return;
      }
    }
    if (!sources.empty()) {
      logger_.warning("group: the nodes' replication topology is not consistent; electing by the "
                      "rule among the most advanced nodes");
    }
    // GR's rule among the nodes whose executed set covers every other's.
    GroupState trial = state_;
    for (Member& m : trial.members) {
      m.in_view = false;
      m.state = MemberState::kOffline;
    }
    size_t advanced = 0;
    for (Node* c : candidates) {
      bool covers_all = true;
      for (Node* o : candidates) covers_all = covers_all && covers(c->facts->current_pos, o->facts->current_pos);
      if (!covers_all) continue;
      for (Member& m : trial.members) {
        if (m.name == c->config.name) {
          m.in_view = true;
          m.state = MemberState::kOnline;
          ++advanced;
        }
      }
    }
    if (advanced == 0) {
      logger_.warning("group: no node has every other node's transactions; electing among all");
      for (Node* c : candidates) {
        for (Member& m : trial.members) {
          if (m.name == c->config.name) {
            m.in_view = true;
            m.state = MemberState::kOnline;
          }
        }
      }
    }
    auto winner = elect_primary(trial);
    Node* primary = winner ? node_by_id(*winner) : nullptr;
    if (primary == nullptr) return;
    start_op("form the group",
             form_group(primary, "elected: lowest version, highest member_weight, lowest member_id "
                                 "among the most advanced nodes"),
             {primary});
    return;
  }
  if (!has_majority(state_)) {
    log_once("quorum", "no primary and a majority of view " + to_string(state_.view_id) +
                           " is not reachable: waiting");
    return;
  }
  auto winner = elect_primary(state_);
  if (!winner) {
    log_once("elect", "no primary and no ONLINE member to elect in view " + to_string(state_.view_id));
    return;
  }
  std::vector<Node*> touched;
  for (auto& node : nodes_) touched.push_back(node.get());
  start_op("fail over", fail_over(*winner, "elected: lowest version, highest member_weight, lowest member_id"),
           touched);
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
    if (m != nullptr && m->in_view && m->state != MemberState::kUnreachable) members.push_back(node.get());
  }
  logger_.info("group: the primary {} is suspected: the secondaries stop receiving from it",
               p->name);
  start_op("stop receiving from " + p->name, stop_receiving(members), {});
  return true;
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
  for (auto& node : nodes_) {
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
  if (covers(f.current_pos, rec.target) && from_donor && f.replica->io_yes() && f.replica->sql_running) {
    logger_.info("group: {} caught up with donor {} in {} ms", node.config.name,
                 node_by_id(rec.donor) ? node_by_id(rec.donor)->config.name : rec.donor,
                 now - rec.started_ms);
    node.recovery.reset();
    node.rejoin_failures = 0;
    node.own_writes_baseline.reset();
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
    failure = "error " + std::to_string(f.replica->last_io_errno) + " receiving from the donor: " +
              f.replica->last_io_error;
    missing_binlogs = f.replica->last_io_errno == 1236;
  } else if (f.replica && !f.replica->sql_running && f.replica->last_sql_errno != 0) {
    failure = "error " + std::to_string(f.replica->last_sql_errno) + " applying: " +
              f.replica->last_sql_error;
  } else if (!f.replica) {
    failure = "replication from the donor is not configured";
  }
  if (failure.empty()) return false;
  rec.last_error = failure;
  rec.every_donor_missing_binlogs = rec.every_donor_missing_binlogs && missing_binlogs;
  logger_.warning("group: recovery of {} from donor {} failed (attempt {} of {}): {}",
                  node.config.name, donor_node != nullptr ? donor_node->config.name : rec.donor,
                  rec.attempts, config_.recovery_retry_count, failure);
  if (rec.attempts >= config_.recovery_retry_count) {
    ++node.rejoin_failures;
    std::string reason = "distributed recovery failed after " + std::to_string(rec.attempts) +
                         " attempt(s): " + failure;
    if (rec.every_donor_missing_binlogs) reason = "no donor has the binary logs it needs: " + failure;
    node.recovery.reset();
    propose(MemberError{m.member_id, reason});
    return false;
  }
  start_op("recover " + node.config.name + " from another donor", start_recovery(&node), {&node});
  return true;
}

bool GroupController::check_online(Node& node, const Member& m) {
  const NodeFacts& f = *node.facts;
  Node* primary = state_.primary ? node_by_id(*state_.primary) : nullptr;
  if (primary == nullptr) return false;
  const Member* pm = member(*primary);
  // A suspected primary: the secondaries stopped receiving from it on purpose; leave them so.
  if (pm == nullptr || pm->state != MemberState::kOnline) return false;
  if (&node == primary) {
    if (f.read_only || (nodes_.size() > 1 && !f.semi_sync_master_enabled) ||
        (f.replica && !f.replica->source_host.empty())) {
      start_op("make primary " + node.config.name + " writable", make_writable(&node), {&node});
      return true;
    }
    if (f.semi_sync_master_enabled && !f.semi_sync_master_active) {
      log_once("semisync:" + node.config.name,
               "the primary " + node.config.name + " has no semi-sync replica acknowledging: writes "
               "wait (rpl_semi_sync_master_timeout) for one");
    } else {
      said_.erase("semisync:" + node.config.name);
    }
    return false;
  }
  // A secondary: replicating from the primary, and nothing written locally.
  if (f.replica && !f.replica->sql_running && f.replica->last_sql_errno != 0) {
    propose(MemberError{m.member_id, "replication applier stopped: error " +
                                         std::to_string(f.replica->last_sql_errno) + ": " +
                                         f.replica->last_sql_error});
    return false;
  }
  if (f.replica && f.replica->io_running == "No" && f.replica->last_io_errno != 0 &&
      f.replica->source_host == primary->config.host && f.replica->source_port == primary->config.port) {
    propose(MemberError{m.member_id, "replication receiver stopped: error " +
                                         std::to_string(f.replica->last_io_errno) + ": " +
                                         f.replica->last_io_error});
    return false;
  }
  std::map<uint32_t, uint64_t> own;
  for (const auto& [domain, gtid] : f.binlog_pos.domains) {
    if (gtid.server_id == f.server_id) own[domain] = gtid.seq;
  }
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
  if (!from_primary || !f.replicating()) {
    const std::string now_state =
        f.replica ? "replicating from " + f.replica->source_host + ":" +
                        std::to_string(f.replica->source_port) + ", receiver " + f.replica->io_running +
                        ", applier " + (f.replica->sql_running ? "running" : "stopped")
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
      if (m->state != MemberState::kError || m->state_reason != reason) propose(MemberError{m->member_id, reason});
      continue;
    }
    if (!fresh(*node) || node->no_rejoin) continue;
    if (auto unmet = unmet_requirement(*node->facts)) {
      if (m->state != MemberState::kError || m->state_reason != *unmet) {
        propose(MemberError{m->member_id, *unmet});
      }
      continue;
    }
    if (m->state == MemberState::kError && node->rejoin_failures > config_.autorejoin_tries) continue;
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

// ---------------------------------------------------------------------------------------------
// Operations

Task<GroupController::OpResult> GroupController::form_group(Node* primary, std::string why) {
  if (auto ok = co_await promote(primary); !ok) co_return ok;
  if (auto ok = co_await make_writable(primary); !ok) co_return ok;
  const std::string id = primary->config.member_id;
  propose(MemberJoined{id});
  propose(MemberOnline{id});
  propose(PrimaryElected{id, primary->config.name + " " + why});
  co_return OpResult{};
}

Task<GroupController::OpResult> GroupController::fail_over(std::string winner_id, std::string why) {
  Node* winner = node_by_id(winner_id);
  if (winner == nullptr) co_return std::unexpected("unknown member " + winner_id);
  logger_.info("group: failover: {} ({}) {}", winner->config.name, winner_id, why);
  if (config_.eventual) propose(PrimaryElected{winner_id, winner->config.name + " " + why +
                                                              " (EVENTUAL: published before catch-up)"});
  // Members of the view that answer: stop receiving, so that what they received is final.
  std::vector<Node*> members;
  for (auto& node : nodes_) {
    const Member* m = member(*node);
    if (m == nullptr || !m->in_view || m->state == MemberState::kUnreachable) continue;
    members.push_back(node.get());
  }
  GtidPosition target;
  std::map<Node*, GtidPosition> have;
  // In parallel: a receiver still connected to a hung primary takes MariaDB about 2 s to stop.
  const auto stops = co_await sql_all(members, "STOP SLAVE IO_THREAD");
  for (size_t i = 0; i < members.size(); ++i) {
    Node* node = members[i];
    const bool stopped = stops[i].has_value();
    auto got = co_await received(node);
    auto done = co_await executed(node);
    if (!stopped || !got || !done) {
      if (node == winner) co_return std::unexpected("the elected member does not answer");
      continue;
    }
    have[node] = merge_newest(*got, *done);
    target = merge_newest(target, have[node]);
  }
  // The winner applies what it received, then anything another member received beyond it.
  if (auto ok = co_await wait_executed(winner, have[winner], config_.catch_up_timeout_ms); !ok) co_return ok;
  auto now_has = co_await executed(winner);
  if (!now_has) co_return std::unexpected(now_has.error());
  if (!covers(*now_has, target)) {
    Node* donor = nullptr;
    for (auto& [node, position] : have) {
      if (covers(position, target)) donor = node;
    }
    if (donor == nullptr) co_return std::unexpected("no member holds the most advanced received set");
    logger_.info("group: failover: {} catches up from {} ({} transaction(s) behind {})",
                 winner->config.name, donor->config.name, transactions_behind(*now_has, target),
                 to_string(target));
    if (auto ok = co_await wait_executed(donor, have[donor], config_.catch_up_timeout_ms); !ok) co_return ok;
    if (auto ok = co_await run(winner, replicate_from(*donor)); !ok) co_return ok;
    if (auto ok = co_await wait_executed(winner, target, config_.catch_up_timeout_ms); !ok) co_return ok;
  }
  if (auto ok = co_await promote(winner); !ok) co_return ok;
  for (Node* node : members) {
    if (node == winner) continue;
    if (auto ok = co_await repoint(node, winner); !ok) {
      logger_.warning("group: failover: cannot point {} at {}: {}", node->config.name,
                      winner->config.name, ok.error());
    }
  }
  if (auto ok = co_await make_writable(winner); !ok) co_return ok;
  if (!config_.eventual) propose(PrimaryElected{winner_id, winner->config.name + " " + why});
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
  if (auto ok = co_await run(old, std::vector<std::string>(1, "SET GLOBAL read_only = ON")); !ok) co_return fail(ok.error());
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
    if (node.get() == target || m == nullptr || !m->in_view || m->state == MemberState::kUnreachable) continue;
    if (auto ok = co_await repoint(node.get(), target); !ok) {
      logger_.warning("group: switchover: cannot point {} at {}: {}", node->config.name,
                      target->config.name, ok.error());
    }
  }
  if (auto ok = co_await make_writable(target); !ok) co_return fail(ok.error());
  primary_held_ = false;
  old->own_writes_baseline.reset();
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
  logger_.info("group: fenced {}: read_only=ON, semi-sync master OFF, {} client connection(s) "
               "killed ({})", node->config.name, *killed + *again, why);
  co_return OpResult{};
}

Task<std::expected<size_t, std::string>> GroupController::kill_clients(Node* node) {
  auto clients = co_await sql(
      node, "SELECT ID FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND "
            "COMMAND NOT IN ('Binlog Dump', 'Binlog Dump GTID', 'Daemon', 'Slave_IO', "
            "'Slave_SQL', 'Slave_worker', 'Killed') AND USER NOT IN ('system user', "
            "'event_scheduler', " + quote(config_.cluster_user) + ", " +
                quote(config_.recovery_user) + ")");
  if (!clients) co_return std::unexpected(node->config.name + ": " + clients.error().to_string());
  size_t killed = 0;
  for (const auto& row : clients->rows) {
    if (row.empty() || !row[0]) continue;
    if (co_await sql(node, "KILL CONNECTION " + *row[0])) ++killed;
  }
  co_return killed;
}

Task<GroupController::OpResult> GroupController::rejoin(Node* node) {
  const Member* m = member(*node);
  if (m == nullptr) co_return std::unexpected("unknown node");
  if (!node->facts->read_only || node->facts->semi_sync_master_enabled) {
    if (auto ok = co_await fence(node, "rejoining"); !ok) co_return ok;
  }
  const std::string id = m->member_id;
  node->recovery.reset();
  propose(MemberJoined{id});
  co_return co_await start_recovery(node);
}

Task<GroupController::OpResult> GroupController::start_recovery(Node* node) {
  const Member* m = member(*node);
  if (m == nullptr || !m->in_view) co_return OpResult{};
  const std::string id = m->member_id;
  if (!node->recovery) {
    node->recovery = Recovery{};
  }
  Recovery& rec = *node->recovery;
  std::vector<std::string> tried(rec.tried.begin(), rec.tried.end());
  auto donor_id = choose_donor(state_, id, random_, tried);
  if (!donor_id && !rec.tried.empty()) {
    // Every donor was tried: pause, then start a new round.
    rec.tried.clear();
    rec.pause_until_ms = monotonic_ms() + config_.recovery_reconnect_interval_ms;
    logger_.info("group: recovery of {}: every donor tried; next round in {} ms", node->config.name,
                 config_.recovery_reconnect_interval_ms);
    co_return OpResult{};
  }
  if (!donor_id) co_return std::unexpected("no ONLINE donor for " + node->config.name);
  Node* donor = node_by_id(*donor_id);
  Node* primary = state_.primary ? node_by_id(*state_.primary) : donor;
  if (donor == nullptr || primary == nullptr) co_return std::unexpected("donor not configured");
  // Errant transactions: anything the joiner has that the group cannot have.
  auto mine = co_await run(node, std::vector<std::string>(1, "STOP SLAVE"));
  if (!mine) co_return mine;
  auto joiner = co_await sql(node, "SELECT @@gtid_binlog_pos, @@gtid_slave_pos, @@gtid_binlog_state");
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
  if (!group_has || !group_state) co_return std::unexpected(primary->config.name + ": malformed GTID position");
  std::optional<std::string> errant = errant_against(*binlog, *group_has);
  if (!errant) errant = errant_in_state(*joiner_state, *group_state);
  if (errant) {
    node->no_rejoin = true;
    node->recovery.reset();
    propose(MemberError{id, "errant transactions: " + *errant +
                                "; they were never replicated to the group and are not merged"});
    co_return OpResult{};
  }
  auto target = co_await executed(donor);
  if (!target) co_return std::unexpected(target.error());
  const GtidPosition start = merge_newest(*slave, *binlog);
  std::vector<std::string> statements;
  if (!(start == *slave)) statements.push_back("SET GLOBAL gtid_slave_pos = " + quote(to_string(start)));
  for (auto& s : replicate_from(*donor)) statements.push_back(std::move(s));
  if (auto ok = co_await run(node, statements); !ok) co_return ok;
  Recovery& r = *node->recovery;  // still there: only this operation runs
  r.donor = *donor_id;
  r.target = *target;
  r.tried.insert(*donor_id);
  ++r.attempts;
  r.started_ms = monotonic_ms();
  r.pause_until_ms = 0;
  logger_.info("group: recovery of {}: donor {} ({} transaction(s) behind, attempt {})",
               node->config.name, donor->config.name, transactions_behind(start, *target), r.attempts);
  co_return OpResult{};
}

Task<GroupController::OpResult> GroupController::finish_recovery(Node* node, Node* primary,
                                                                  std::string member_id) {
  if (auto ok = co_await repoint(node, primary); !ok) co_return ok;
  const Member* m = state_.find(member_id);
  if (m != nullptr && m->in_view && m->state == MemberState::kRecovering) propose(MemberOnline{member_id});
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
  auto ok = co_await run(node, replicate_from(*source));
  if (ok) logger_.info("group: {} replicates from {}", node->config.name, source->config.name);
  co_return ok;
}

Task<GroupController::OpResult> GroupController::promote(Node* node) {
  std::vector<std::string> statements = {
      "STOP SLAVE", "RESET SLAVE ALL", "SET GLOBAL rpl_semi_sync_master_wait_point = AFTER_SYNC",
      nodes_.size() > 1 ? "SET GLOBAL rpl_semi_sync_master_enabled = ON"
                        : "SET GLOBAL rpl_semi_sync_master_enabled = OFF"};
  co_return co_await run(node, std::move(statements));
}

Task<GroupController::OpResult> GroupController::make_writable(Node* node) {
  if (auto ok = co_await promote(node); !ok) co_return ok;
  // With a replica in the view, lift read_only only once one acknowledges semi-sync, so that no
  // write is acknowledged before it is on a second node. (A node alone forms the group writable:
  // its writes wait for the first replica, which rpl_semi_sync_master_wait_no_slave makes them do.)
  size_t others = 0;
  for (auto& n : nodes_) {
    const Member* m = member(*n);
    if (n.get() != node && m != nullptr && m->in_view && m->state != MemberState::kUnreachable) ++others;
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

Task<GroupController::OpResult> GroupController::run(Node* node, std::vector<std::string> statements) {
  for (const std::string& statement : statements) {
    auto r = co_await sql(node, statement);
    if (!r) {
      co_return std::unexpected(node->config.name + ": " + statement.substr(0, statement.find(" MASTER_PASSWORD")) +
                                ": " + r.error().to_string());
    }
  }
  co_return OpResult{};
}

Task<std::expected<GtidPosition, std::string>> GroupController::executed(Node* node) {
  auto r = co_await sql(node, "SELECT @@gtid_current_pos");
  if (!r) co_return std::unexpected(node->config.name + ": " + r.error().to_string());
  auto position = parse_gtid_position(position_column(*r, 0));
  if (!position) co_return std::unexpected(node->config.name + ": malformed gtid_current_pos");
  co_return *position;
}

Task<std::expected<GtidPosition, std::string>> GroupController::received(Node* node) {
  auto r = co_await sql(node, "SHOW SLAVE STATUS");
  if (!r) co_return std::unexpected(node->config.name + ": " + r.error().to_string());
  if (r->rows.empty()) co_return GtidPosition{};
  auto index = r->column_index("Gtid_IO_Pos");
  if (!index) co_return std::unexpected(node->config.name + ": no Gtid_IO_Pos");
  auto position = parse_gtid_position(position_column(*r, *index));
  if (!position) co_return std::unexpected(node->config.name + ": malformed Gtid_IO_Pos");
  co_return *position;
}

Task<GroupController::OpResult> GroupController::wait_executed(Node* node, GtidPosition target,
                                                                int64_t timeout_ms) {
  const int64_t deadline = monotonic_ms() + timeout_ms;
  while (true) {
    auto position = co_await executed(node);
    if (!position) co_return std::unexpected(position.error());
    if (covers(*position, target)) co_return OpResult{};
    if (monotonic_ms() >= deadline || stopping_) {
      co_return std::unexpected(node->config.name + " did not apply " + to_string(target) + " within " +
                                std::to_string(timeout_ms) + " ms (it has " + to_string(*position) + ")");
    }
    co_await sleep(20);
  }
}

Task<GroupController::OpResult> GroupController::wait_semi_sync_client(Node* node, int64_t timeout_ms) {
  const int64_t deadline = monotonic_ms() + timeout_ms;
  while (true) {
    auto r = co_await sql(node, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'");
    if (!r) co_return std::unexpected(node->config.name + ": " + r.error().to_string());
    const std::string value = r->rows.empty() || r->rows[0].size() < 2 ? "0" : r->rows[0][1].value_or("0");
    if (value != "0") co_return OpResult{};
    if (monotonic_ms() >= deadline || stopping_) {
      co_return std::unexpected("no semi-sync replica connected within " + std::to_string(timeout_ms) + " ms");
    }
    co_await sleep(20);
  }
}

CallbackAwaiter<GroupController::SqlResult> GroupController::sql(Node* node, std::string statement) {
  return CallbackAwaiter<SqlResult>([this, node, statement = std::move(statement)](
                                        std::function<void(SqlResult)> done) {
    sql::SqlConnection* connection = admin(*node);
    if (connection == nullptr) {
      done(std::unexpected(sql::make_error(Kind::kCancelled, "grouter is stopping")));
      return;
    }
    connection->query(statement, [node, done = std::move(done)](SqlResult r) {
      if (!r && r.error().kind != Kind::kServer && r.error().kind != Kind::kQueueFull) {
        node->admin_broken = true;
      }
      done(std::move(r));
    });
  });
}

void GroupController::after(int64_t ms, std::function<void()> fn) {
  struct OneShot {
    uv_timer_t timer{};
    std::function<void()> fn;
  };
  auto* shot = new OneShot{};
  shot->fn = std::move(fn);
  uv_timer_init(loop_, &shot->timer);
  shot->timer.data = shot;
  uv_timer_start(
      &shot->timer,
      [](uv_timer_t* t) {
        auto* one = static_cast<OneShot*>(t->data);
        auto run = std::move(one->fn);
        uv_close(reinterpret_cast<uv_handle_t*>(t),
                 [](uv_handle_t* h) { delete static_cast<OneShot*>(h->data); });
        run();
      },
      static_cast<uint64_t>(ms), 0);
}

CallbackAwaiter<std::vector<GroupController::SqlResult>> GroupController::sql_all(
    std::vector<Node*> nodes, std::string statement) {
  using Results = std::vector<SqlResult>;
  return CallbackAwaiter<Results>([this, nodes = std::move(nodes), statement = std::move(statement)](
                                      std::function<void(Results)> done) {
    struct Gather {
      Results results;
      size_t pending = 0;
      std::function<void(Results)> done;
    };
    auto gather = std::make_shared<Gather>();
    gather->results.assign(nodes.size(), std::unexpected(sql::make_error(Kind::kCancelled, "not run")));
    gather->pending = nodes.size() + 1;  // +1 until every statement is sent
    gather->done = std::move(done);
    auto finish_one = [gather] {
      if (--gather->pending == 0) gather->done(std::move(gather->results));
    };
    for (size_t i = 0; i < nodes.size(); ++i) {
      Node* node = nodes[i];
      sql::SqlConnection* connection = admin(*node);
      if (connection == nullptr) {
        finish_one();
        continue;
      }
      connection->query(statement, [node, gather, i, finish_one](SqlResult r) {
        if (!r && r.error().kind != Kind::kServer && r.error().kind != Kind::kQueueFull) {
          node->admin_broken = true;
        }
        gather->results[i] = std::move(r);
        finish_one();
      });
    }
    finish_one();
  });
}

CallbackAwaiter<bool> GroupController::sleep(int64_t ms) {
  return CallbackAwaiter<bool>([this, ms](std::function<void(bool)> done) {
    after(ms, [done = std::move(done)] { done(true); });
  });
}

sql::SqlConnection* GroupController::admin(Node& node) {
  if (stopping_) return nullptr;
  if (node.admin && node.admin_broken) dispose(std::move(node.admin));
  node.admin_broken = false;
  if (!node.admin) {
    sql::ConnectOptions options;
    options.host = node.config.host;
    options.port = node.config.port;
    options.user = config_.cluster_user;
    options.password = config_.cluster_password;
    options.connect_timeout_ms = 1000;
    options.query_timeout_ms = config_.admin_query_timeout_ms;
    node.admin = std::make_unique<sql::SqlConnection>(loop_, logger_, options);
    node.admin->connect([](const std::expected<sql::ServerInfo, sql::SqlError>&) {});
  }
  return node.admin.get();
}

void GroupController::dispose(std::unique_ptr<sql::SqlConnection> connection) {
  if (!connection) return;
  ++closing_handles_;
  sql::SqlConnection* raw = connection.release();
  raw->close([this, raw] {
    delete raw;
    --closing_handles_;
    maybe_closed();
  });
}

void GroupController::close(std::function<void()> on_closed) {
  stopping_ = true;
  on_closed_ = std::move(on_closed);
  if (switchover_) {
    auto done = std::move(switchover_->done);
    switchover_.reset();
    done(std::unexpected(SwitchoverFailure{SwitchoverFailure::Kind::kUnavailable, "grouter is stopping"}));
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
  if (!stopping_ || op_running_ || closing_handles_ != 0 || !on_closed_) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  done();
}

}  // namespace grouter::metadata
