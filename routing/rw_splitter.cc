// The read/write-splitting command loop.
#include "routing/rw_splitter.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/result_set.h"
#include "routing/internal_query.h"
#include "routing/local_reply.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

constexpr std::size_t kMaxReplayStatements = 256;
constexpr std::size_t kMaxReplayBytes = 64 * 1024;
constexpr std::uint16_t kErrWrongValue = 1231;  // ER_WRONG_VALUE_FOR_VAR
constexpr std::uint16_t kErrParse = 1064;       // ER_PARSE_ERROR
constexpr std::uint8_t kComStmtBulkExecute = 0xfa;  // MariaDB
constexpr std::uint16_t kErrHoldWaitTimeout = 3781;  // ER_GR_HOLD_WAIT_TIMEOUT
// A speculative read's reply is kept while its freshness is undecided, up to this; past it the
// read is dropped and runs again after a wait.
constexpr std::size_t kMaxSpeculativeReply = 256 * 1024;

std::span<const std::uint8_t> payload_of(std::span<const std::uint8_t> frame) {
  return frame.subspan(wire::kFrameHeaderSize);
}

std::string backticked(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    if (c == '`') out.push_back('`');
    out.push_back(c);
  }
  return out + "`";
}

// Whether a command run on the primary may have written (a read after it then waits for it).
bool may_write(bool query, StatementKind kind, std::uint8_t command) {
  if (!query) {
    return command != wire::command_byte(wire::Command::kInitDb) &&
           command != wire::command_byte(wire::Command::kPing);
  }
  switch (kind) {
    case StatementKind::kRead:
    case StatementKind::kSetSession:
    case StatementKind::kSetNames:
    case StatementKind::kUse:
    case StatementKind::kSetAutocommit:
    case StatementKind::kBegin:
    case StatementKind::kBeginReadOnly:
    case StatementKind::kSavepoint:
    case StatementKind::kRollback:
    case StatementKind::kShowDiagnostics:
      return false;
    default:
      return true;
  }
}

bool is_statement_command(std::uint8_t command) {
  switch (static_cast<wire::Command>(command)) {
    case wire::Command::kStmtExecute:
    case wire::Command::kStmtSendLongData:
    case wire::Command::kStmtClose:
    case wire::Command::kStmtReset:
    case wire::Command::kStmtFetch:
      return true;
    default:
      return command == kComStmtBulkExecute;
  }
}

// PREPARE_OK: 0x00, statement id (4), columns (2), parameters (2), filler, warnings (2).
constexpr std::size_t kPrepareOkSize = 12;

std::optional<std::pair<std::uint32_t, std::uint16_t>> prepare_ok(std::span<const std::uint8_t> p) {
  if (p.size() < kPrepareOkSize || p[0] != 0x00) return std::nullopt;
  const std::uint32_t id = static_cast<std::uint32_t>(p[1]) | static_cast<std::uint32_t>(p[2]) << 8 |
                           static_cast<std::uint32_t>(p[3]) << 16 |
                           static_cast<std::uint32_t>(p[4]) << 24;
  const auto params = static_cast<std::uint16_t>(p[7] | p[8] << 8);
  return std::pair{id, params};
}

std::vector<std::uint8_t> prepare_frame(const std::string& sql) {
  std::vector<std::uint8_t> payload{wire::command_byte(wire::Command::kStmtPrepare)};
  payload.insert(payload.end(), sql.begin(), sql.end());
  std::vector<std::uint8_t> frame;
  std::uint8_t sequence_id = 0;
  wire::append_frames(frame, sequence_id, payload);
  return frame;
}

bool is_error(const std::vector<std::vector<std::uint8_t>>& payloads) {
  return payloads.empty() || (!payloads[0].empty() && payloads[0][0] == 0xff);
}

}  // namespace

RwSplitter::RwSplitter(SplitterSettings settings, std::span<const std::uint8_t> login_ok,
                       std::string schema)
    : settings_(settings), consistency_(settings.consistency) {
  primary_.state = LegState::kReady;
  primary_.tracker =
      std::make_unique<ExchangeTracker>(settings_.capabilities, settings_.mariadb_capabilities);
  (void)primary_.tracker->on_login_ok(login_ok, schema);
}

bool RwSplitter::legs_idle() const {
  auto idle = [](const LegData& l) {
    return l.state != LegState::kReady || (l.pending.empty() && l.tracker->idle());
  };
  return idle(primary_) && idle(secondary_);
}

// --- client frames -------------------------------------------------------------------------

bool RwSplitter::accepting_client() const {
  if (primary_.state != LegState::kReady || !parked_.empty() || reprepares_left_ > 0) return false;
  if (held_ || after_) return client_continues_;
  for (const LegData* l : {&primary_, &secondary_}) {
    if (!l->pending.empty() && l->pending.front().discard) return false;
  }
  if (!active_ || legs_idle()) return true;
  const LegData& current = active_ == Leg::kPrimary ? primary_ : secondary_;
  return client_continues_ || current.tracker->awaiting_infile_data() ||
         current.tracker->in_auth_exchange();
}

void RwSplitter::on_client_frame(std::span<const std::uint8_t> frame, SplitterOutput& out) {
  if (primary_.state != LegState::kReady || !parked_.empty() || reprepares_left_ > 0) {
    parked_.emplace_back(frame.begin(), frame.end());
    return;
  }
  const auto payload = payload_of(frame);
  const bool continues = client_continues_;
  client_continues_ = payload.size() == wire::kMaxPayloadSize;
  if (held_) {  // the rest of a held command
    held_->frames.emplace_back(frame.begin(), frame.end());
    return;
  }
  if (active_) {
    LegData& current = leg(*active_);
    const bool part_of_exchange = continues || current.tracker->awaiting_infile_data() ||
                                  current.tracker->in_auth_exchange();
    if (part_of_exchange) {
      auto step = current.tracker->on_client_payload(payload);
      if (!step) {
        out.fatal = "the client's command cannot be followed: " + step.error().message();
        return;
      }
      if (step->kind == ClientPayloadKind::kCommand && step->command.expects_response) {
        current.pending.push_back(Pending{});
      }
      auto& bytes = out.to(*active_);
      bytes.insert(bytes.end(), frame.begin(), frame.end());
      return;
    }
  }
  start_command(frame, out);
}

void RwSplitter::start_command(std::span<const std::uint8_t> frame, SplitterOutput& out) {
  const auto payload = payload_of(frame);
  if (payload.empty()) {
    out.fatal = "the client sent an empty command";
    return;
  }
  if (transaction_lost_) {
    // The primary that held the session's transaction is gone, and the transaction with it.
    transaction_lost_ = false;
    reply_to_client(err_reply(2013, "HY000",
                              "Lost connection to MySQL server during query: the primary changed "
                              "and the session's open transaction was rolled back; the session "
                              "goes on on the new primary",
                              settings_.capabilities),
                    out);
    return;
  }
  Pending pending;
  const auto command = static_cast<wire::Command>(payload[0]);
  if (command == wire::Command::kQuery) {
    const std::string_view sql(reinterpret_cast<const char*>(payload.data() + 1), payload.size() - 1);
    pending.query = true;
    pending.classification = classify(sql);
    if (answer_locally(pending.classification, out)) return;
    if (pending.classification.target == Target::kAllConnections) {
      pending.replayable = true;
      pending.replay_text = std::string(sql);
    }
  } else if (command == wire::Command::kStmtPrepare) {
    pending.prepare_sql =
        std::string(reinterpret_cast<const char*>(payload.data() + 1), payload.size() - 1);
  } else if (command == wire::Command::kInitDb) {
    pending.replayable = true;
    pending.replay_text =
        "USE " + backticked(std::string_view(reinterpret_cast<const char*>(payload.data() + 1),
                                             payload.size() - 1));
  } else if (command == wire::Command::kChangeUser || command == wire::Command::kResetConnection) {
    // The secondary leg's session is no longer the client's: drop it and what it replayed.
    forget_secondary(out, true);
    replay_.clear();
    replay_bytes_ = 0;
    statements_.clear();
    if (command == wire::Command::kChangeUser) {
      secondary_unusable_ = true;  // new credentials, which grouter has no proof of
      user_changed_ = true;
    }
  }
  if (settings_.member_leg && hold_for_group_position(frame, pending, out)) return;
  const Leg target = route(pending, payload[0]);
  if (pending.query && pending.classification.pins_session) pinned_ = true;
  if (target == Leg::kPrimary) {
    if (may_write(pending.query, pending.classification.kind, payload[0])) {
      wrote_since_sync_ = true;
      pending.after = waits_after_write(consistency_);
    }
    if (is_statement_command(payload[0])) {
      (void)send_statement_command(std::move(pending), frame, out);
      return;
    }
    send_to_leg(Leg::kPrimary, std::move(pending), frame, out);
    return;
  }
  // The secondary: open, replay and wait as needed, holding the command meanwhile.
  Held held;
  held.frames.emplace_back(frame.begin(), frame.end());
  held.pending = std::move(pending);
  if (waits_before_read(consistency_)) {
    held.wait_before = true;
    held.wait_timeout_s = settings_.before_timeout_s;
  } else if (settings_.wait_for_my_writes && wrote_since_sync_) {
    held.wait_own_writes = true;
    held.wait_timeout_s = settings_.wait_for_my_writes_timeout_s;
  }
  held_ = std::move(held);
  if (secondary_.state == LegState::kClosed) {
    secondary_.state = LegState::kOpening;
    out.open_secondary = true;
    return;
  }
  advance_held(out);
}

Leg RwSplitter::route(const Pending& pending, std::uint8_t command) const {
  if (settings_.primary_only || settings_.member_leg) return Leg::kPrimary;  // one leg
  const bool secondary_possible = !secondary_unusable_;
  // An open transaction stays where it began.
  if (secondary_.state == LegState::kReady && secondary_.tracker->facts().in_transaction()) {
    return Leg::kSecondary;
  }
  if (primary_.tracker->facts().in_transaction() || !primary_.tracker->facts().autocommit() ||
      pinned_ || access_override_ == AccessMode::kReadWrite) {
    return Leg::kPrimary;
  }
  if (command != wire::command_byte(wire::Command::kQuery) || !pending.query) return Leg::kPrimary;
  const Classification& c = pending.classification;
  if (c.pins_session || !secondary_possible) return Leg::kPrimary;
  if (access_override_ == AccessMode::kReadOnly && c.target != Target::kAllConnections) {
    return Leg::kSecondary;
  }
  switch (c.target) {
    case Target::kSecondary:
      return Leg::kSecondary;
    case Target::kPrevious:
      return last_leg_.value_or(Leg::kPrimary);
    default:
      return Leg::kPrimary;
  }
}

bool RwSplitter::answer_locally(const Classification& c, SplitterOutput& out) {
  const std::uint16_t status = primary_.tracker->facts().status_flags;
  switch (c.kind) {
    case StatementKind::kRouterSetAccessMode:
      access_override_ = c.access_mode == AccessMode::kAuto ? std::nullopt : c.access_mode;
      reply_to_client(ok_reply(status, settings_.capabilities), out);
      return true;
    case StatementKind::kRouterInvalid:
      reply_to_client(err_reply(kErrParse, "42000",
                                "You have an error in your SQL syntax: grouter understands ROUTER "
                                "SET access_mode = 'read_write' | 'read_only' | 'auto'",
                                settings_.capabilities),
                      out);
      return true;
    case StatementKind::kSetConsistency: {
      const std::string value = c.consistency.value_or("");
      if (value == "DEFAULT") {
        consistency_ = settings_.consistency;
      } else if (auto parsed = parse_consistency(value)) {
        consistency_ = *parsed;
      } else {
        reply_to_client(err_reply(kErrWrongValue, "42000",
                                  "Variable 'group_replication_consistency' can't be set to the "
                                  "value of '" + value + "'",
                                  settings_.capabilities),
                        out);
        return true;
      }
      reply_to_client(ok_reply(status, settings_.capabilities), out);
      return true;
    }
    case StatementKind::kSelectConsistency:
      reply_to_client(one_value_reply(c.column_name, std::string(to_string(consistency_)), status,
                                      settings_.capabilities, settings_.mariadb_capabilities),
                      out);
      return true;
    default:
      return false;
  }
}

void RwSplitter::reply_to_client(const std::vector<std::vector<std::uint8_t>>& payloads,
                                 SplitterOutput& out) {
  std::uint8_t sequence_id = 1;
  for (const auto& payload : payloads) wire::append_frames(out.to_client, sequence_id, payload);
}

void RwSplitter::send_to_leg(Leg l, Pending pending, std::span<const std::uint8_t> frame,
                             SplitterOutput& out) {
  LegData& target = leg(l);
  auto step = target.tracker->on_client_payload(payload_of(frame));
  if (!step) {
    // grouter cannot follow it (replication commands, COM_MULTI): refuse, the session goes on.
    reply_to_client(err_reply(1047, "08S01",
                              "Unknown command: grouter's read/write splitting cannot follow it (" +
                                  step.error().message() + ")",
                              settings_.capabilities),
                    out);
    return;
  }
  if (step->command.expects_response) target.pending.push_back(std::move(pending));
  active_ = l;
  last_leg_ = l;
  auto& bytes = out.to(l);
  bytes.insert(bytes.end(), frame.begin(), frame.end());
}

// A COM_STMT_* command, under the primary's id for the client's statement.
bool RwSplitter::send_statement_command(Pending pending, std::span<const std::uint8_t> frame,
                                        SplitterOutput& out) {
  const auto payload = payload_of(frame);
  std::vector<std::uint8_t> rewritten(payload.begin(), payload.end());
  // Parameter types (2 bytes each, at most 65535 parameters) may be put in while it stays one frame.
  const bool insert_allowed = payload.size() + 2 * 65535 < wire::kMaxPayloadSize;
  if (!statements_.to_primary(rewritten, insert_allowed)) {
    out.fatal = "a prepared statement's execute of nearly 16 MiB cannot be sent again with its "
                "parameter types to the session's new primary";
    return false;
  }
  if (std::equal(rewritten.begin(), rewritten.end(), payload.begin(), payload.end())) {
    send_to_leg(Leg::kPrimary, std::move(pending), frame, out);
    return true;
  }
  std::vector<std::uint8_t> rewritten_frame;
  if (rewritten.size() == payload.size()) {  // the id only (also the first of several frames)
    rewritten_frame.assign(frame.begin(), frame.begin() + wire::kFrameHeaderSize);
    rewritten_frame.insert(rewritten_frame.end(), rewritten.begin(), rewritten.end());
  } else {
    std::uint8_t sequence_id = frame[wire::kFrameHeaderSize - 1];
    wire::append_frames(rewritten_frame, sequence_id, rewritten);
  }
  send_to_leg(Leg::kPrimary, std::move(pending), rewritten_frame, out);
  return true;
}

// The first payload of the reply to a client's COM_STMT_PREPARE: PREPARE_OK shows the client the
// statement's id in the session (statement_map.h), or an ERR passes as it is.
void RwSplitter::forward_prepare_ok(Pending& pending, std::span<const std::uint8_t> frame,
                                    SplitterOutput& out) {
  std::string sql = std::move(*pending.prepare_sql);
  pending.prepare_sql.reset();
  const auto payload = payload_of(frame);
  const auto ok = prepare_ok(payload);
  const std::uint32_t client_id = ok ? statements_.on_prepared(ok->first, ok->second, std::move(sql)) : 0;
  if (!ok || client_id == ok->first) {
    out.to_client.insert(out.to_client.end(), frame.begin(), frame.end());
    return;
  }
  const std::size_t at = out.to_client.size();
  out.to_client.insert(out.to_client.end(), frame.begin(), frame.end());
  for (int i = 0; i < 4; ++i) {
    out.to_client[at + wire::kFrameHeaderSize + 1 + i] = static_cast<std::uint8_t>(client_id >> (8 * i));
  }
}

// --- the secondary leg's preparation --------------------------------------------------------

void RwSplitter::send_internal(Leg l, Internal what, const std::string& sql, SplitterOutput& out) {
  Pending pending;
  pending.what = what;
  send_internal_frame(l, std::move(pending), query_frame(sql), out);
}

void RwSplitter::send_internal_frame(Leg l, Pending pending, std::span<const std::uint8_t> frame,
                                     SplitterOutput& out) {
  LegData& target = leg(l);
  if (!target.tracker->on_command(payload_of(frame))) {
    out.fatal = "grouter's own statement could not be sent";
    return;
  }
  pending.internal = true;
  target.pending.push_back(std::move(pending));
  auto& bytes = out.to(l);
  bytes.insert(bytes.end(), frame.begin(), frame.end());
}

// Runs the next step the held command needs; each step's reply calls it again.
void RwSplitter::advance_held(SplitterOutput& out) {
  if (!held_ || secondary_.state == LegState::kOpening || primary_.state != LegState::kReady) return;
  if (held_->on_member) return;  // on_group_position() and the wait's answer move it on
  if (held_->to_primary || secondary_.state == LegState::kClosed || secondary_unusable_) {
    abandon_speculation();
    release_held(Leg::kPrimary, out);
    return;
  }
  if (held_->speculative) return;  // decide_speculation() moves it on
  if (!secondary_.pending.empty() || !primary_.pending.empty()) return;  // a step is running
  if (secondary_.replayed < replay_.size()) {
    for (; secondary_.replayed < replay_.size(); ++secondary_.replayed) {
      send_internal(Leg::kSecondary, Internal::kReplay, replay_[secondary_.replayed], out);
    }
    return;
  }
  if ((held_->wait_before || held_->wait_own_writes) && wait_position_.empty() &&
      !held_->primary_position && speculate(out)) {
    return;
  }
  if ((held_->wait_before || held_->wait_own_writes) && wait_position_.empty()) {
    send_internal(Leg::kPrimary, Internal::kPrimaryPosition,
                  held_->wait_before ? "SELECT @@GLOBAL.gtid_binlog_pos" : "SELECT @@SESSION.last_gtid",
                  out);
    return;
  }
  if (!wait_position_.empty()) {
    send_internal(Leg::kSecondary, Internal::kWait,
                  "SELECT MASTER_GTID_WAIT(" + sql_quoted(wait_position_) + ", " +
                      std::to_string(held_->wait_timeout_s) + ")",
                  out);
    // A whole read goes right behind its wait: when nothing lags, the wait costs no round trip
    // of its own. A read in several frames waits for the wait's answer instead.
    if (held_->frames.size() == 1 && !client_continues_) send_behind_wait(Leg::kSecondary, out);
    return;
  }
  release_held(Leg::kSecondary, out);
}

void RwSplitter::send_behind_wait(Leg l, SplitterOutput& out) {
  held_->sent_behind_wait = true;
  Pending copy = held_->pending;
  const std::optional<Leg> active = active_;
  const std::optional<Leg> last = last_leg_;
  send_to_leg(l, std::move(copy), held_->frames.front(), out);
  active_ = active;  // the read is not the client's command in flight until its wait succeeded
  last_leg_ = last;
}

// Sends the held read to the secondary now, behind a read of its position, and asks the primary
// for the position the read must see; decide_speculation() then keeps or drops its reply. False
// when the read cannot be sent twice (several frames).
bool RwSplitter::speculate(SplitterOutput& out) {
  if (held_->frames.size() != 1 || client_continues_) return false;
  held_->speculative = true;
  send_internal(Leg::kPrimary, Internal::kPrimaryPosition,
                held_->wait_before ? "SELECT @@GLOBAL.gtid_binlog_pos" : "SELECT @@SESSION.last_gtid",
                out);
  send_internal(Leg::kSecondary, Internal::kSecondaryPosition, "SELECT @@GLOBAL.gtid_slave_pos",
                out);
  Pending copy = held_->pending;
  copy.speculative = true;
  const std::optional<Leg> active = active_;
  const std::optional<Leg> last = last_leg_;
  send_to_leg(Leg::kSecondary, std::move(copy), held_->frames.front(), out);
  active_ = active;
  last_leg_ = last;
  return true;
}

// A frame of the speculative read's reply, while its freshness is undecided.
void RwSplitter::on_speculative_frame(std::span<const std::uint8_t> frame, bool complete,
                                      SplitterOutput& out) {
  if (held_->reply.size() + frame.size() > kMaxSpeculativeReply) {
    // Too much to keep: the read is dropped and runs again, after the wait, once decided.
    secondary_.pending.front().discard = true;
    held_->reply.clear();
    held_->speculative = false;
    return;
  }
  held_->reply.insert(held_->reply.end(), frame.begin(), frame.end());
  held_->reply_complete = complete;
  (void)out;
}

void RwSplitter::decide_speculation(SplitterOutput& out) {
  if (!held_ || !held_->speculative || !held_->primary_position || !held_->secondary_position) return;
  const std::string& need = *held_->primary_position;
  const bool fresh = need.empty() || (!held_->secondary_position->empty() &&
                                      gtid_position_covers(*held_->secondary_position, need));
  if (fresh) {
    Held held = std::move(*held_);
    held_.reset();
    wait_position_.clear();
    wrote_since_sync_ = false;
    last_leg_ = Leg::kSecondary;
    out.to_client.insert(out.to_client.end(), held.reply.begin(), held.reply.end());
    if (held.reply_complete) {
      if (secondary_.pending.empty() && active_ == Leg::kSecondary) active_.reset();
    } else {
      active_ = Leg::kSecondary;  // the rest of its reply goes straight to the client
      for (Pending& p : secondary_.pending) p.speculative = false;
    }
    return;
  }
  // The secondary lags: drop the read's reply and wait for the position, then read again.
  for (Pending& p : secondary_.pending) {
    if (p.speculative) p.discard = true;
  }
  held_->speculative = false;
  held_->reply.clear();
  wait_position_ = need;
  advance_held(out);
}

// The speculation cannot be decided (a leg was lost): its read's reply, if still coming, is
// dropped, and the held read starts its steps again.
void RwSplitter::abandon_speculation() {
  if (!held_ || !held_->speculative) return;
  for (Pending& p : secondary_.pending) {
    if (p.speculative) p.discard = true;
  }
  held_->speculative = false;
  held_->primary_position.reset();
  held_->secondary_position.reset();
  held_->reply.clear();
  held_->reply_complete = false;
}

// member_leg under BEFORE: a statement that begins a transaction's work (outside one) waits for
// the group's position on the session's member first. True when it was held.
bool RwSplitter::hold_for_group_position(std::span<const std::uint8_t> frame, Pending& pending,
                                         SplitterOutput& out) {
  const std::uint8_t command = payload_of(frame)[0];
  const bool statement = (pending.query && !pending.replayable) ||
                         command == wire::command_byte(wire::Command::kStmtExecute);
  if (!statement || !waits_before_read(consistency_) ||
      primary_.tracker->facts().in_transaction()) {
    return false;
  }
  Held held;
  held.frames.emplace_back(frame.begin(), frame.end());
  held.pending = std::move(pending);
  held.wait_before = true;
  held.on_member = true;
  held.wait_timeout_s = settings_.before_timeout_s;
  held_ = std::move(held);
  out.need_group_position = true;
  return true;
}

void RwSplitter::on_group_position(const std::optional<std::string>& position,
                                   const std::string& why, SplitterOutput& out) {
  if (!held_ || !held_->on_member || primary_.state != LegState::kReady) return;
  if (!position) {
    fail_held("the group's position could not be read for group_replication_consistency BEFORE: " +
                  why,
              out);
    return;
  }
  if (position->empty()) {  // the group has committed nothing: nothing to wait for
    release_held(Leg::kPrimary, out);
    return;
  }
  wait_position_ = *position;
  send_internal(Leg::kPrimary, Internal::kWait,
                "SELECT MASTER_GTID_WAIT(" + sql_quoted(wait_position_) + ", " +
                    std::to_string(held_->wait_timeout_s) + ")",
                out);
  if (held_->frames.size() == 1 && !client_continues_) send_behind_wait(Leg::kPrimary, out);
}

// A held statement that cannot run: the client gets GR's error for a consistency wait that
// failed, and the session goes on.
void RwSplitter::fail_held(const std::string& why, SplitterOutput& out) {
  held_.reset();
  wait_position_.clear();
  reply_to_client(err_reply(kErrHoldWaitTimeout, "HY000", why, settings_.capabilities), out);
}

// The answer to the held read's MASTER_GTID_WAIT: "0" when the secondary caught up in time.
void RwSplitter::on_wait_answer(bool reached, SplitterOutput& out) {
  const Leg waited_on = held_->on_member ? Leg::kPrimary : Leg::kSecondary;
  if (held_->on_member && !reached) {
    if (held_->sent_behind_wait && !primary_.pending.empty()) primary_.pending.back().discard = true;
    fail_held("Timeout exceeded for held statement while the member applies the group's "
              "transactions (group_replication_consistency BEFORE, " +
                  std::to_string(held_->wait_timeout_s) + " s)",
              out);
    return;
  }
  if (!held_->sent_behind_wait) {
    if (reached) {
      release_held(waited_on, out);
    } else {
      held_->to_primary = true;
      advance_held(out);
    }
    return;
  }
  // The read is queued behind the wait on the secondary.
  if (reached) {
    held_.reset();
    wait_position_.clear();
    wrote_since_sync_ = false;
    active_ = waited_on;
    last_leg_ = waited_on;
    return;
  }
  if (!secondary_.pending.empty()) secondary_.pending.back().discard = true;
  held_->to_primary = true;
  advance_held(out);
}

void RwSplitter::release_held(Leg l, SplitterOutput& out) {
  Held held = std::move(*held_);
  held_.reset();
  wait_position_.clear();
  if (l == Leg::kSecondary && (held.wait_before || held.wait_own_writes)) wrote_since_sync_ = false;
  bool first = true;
  for (const auto& frame : held.frames) {
    if (first) {
      send_to_leg(l, std::move(held.pending), frame, out);
      first = false;
    } else {
      (void)leg(l).tracker->on_client_payload(payload_of(frame));
      auto& bytes = out.to(l);
      bytes.insert(bytes.end(), frame.begin(), frame.end());
    }
  }
}

void RwSplitter::on_secondary_ready(std::span<const std::uint8_t> login_ok, SplitterOutput& out) {
  secondary_.state = LegState::kReady;
  secondary_.tracker =
      std::make_unique<ExchangeTracker>(settings_.capabilities, settings_.mariadb_capabilities);
  (void)secondary_.tracker->on_login_ok(login_ok, "");
  secondary_.replayed = 0;
  advance_held(out);
}

void RwSplitter::on_secondary_failed(const std::string&, SplitterOutput& out) {
  secondary_.state = LegState::kClosed;
  advance_held(out);
}

void RwSplitter::on_secondary_lost(const std::string& why, SplitterOutput& out) {
  const bool in_use = active_ == Leg::kSecondary && !secondary_.pending.empty();
  const bool held_waits = held_ && !secondary_.pending.empty();
  forget_secondary(out, false);
  if (in_use && !held_waits) {
    out.fatal = "the secondary running the client's statement was lost: " + why;
    return;
  }
  advance_held(out);
}

void RwSplitter::on_members_applied(SplitterOutput& out) {
  if (!after_) return;
  out.to_client.insert(out.to_client.end(), after_->begin(), after_->end());
  after_.reset();
  advance_held(out);
}

void RwSplitter::on_primary_lost(const std::string& why, SplitterOutput& out) {
  if (primary_.state != LegState::kReady) return;
  if (settings_.member_leg) {
    out.fatal = "the session's member was lost (" + why + ")";
    return;
  }
  // What ties the session to the lost node, if anything: then it cannot carry on.
  const bool mid_command = !primary_.pending.empty() && !primary_.pending.front().internal;
  const char* tied = mid_command || after_ ? "it was running the session's statement"
                     : pinned_ ? "it holds the session's temporary table, lock or multi-statement"
                     : statements_.overflowed()
                         ? "it holds more prepared statements than grouter keeps to prepare again"
                     : statements_.long_data_pending() ||
                             primary_.tracker->statements().open_cursors() > 0
                         ? "it holds a prepared statement's long data or open cursor"
                     : user_changed_ ? "the session changed its user (COM_CHANGE_USER), whose "
                                       "login grouter cannot repeat"
                                     : nullptr;
  if (tied != nullptr) {
    out.fatal = std::string("the primary was lost and ") + tied + " (" + why + ")";
    return;
  }
  transaction_lost_ = primary_.tracker->facts().in_transaction();
  reprepares_left_ = 0;
  abandon_speculation();  // the primary's position will not come
  primary_ = LegData{};
  primary_.state = LegState::kOpening;
  if (active_ == Leg::kPrimary) active_.reset();
  wait_position_.clear();  // a held read's steps on the primary start again
  out.open_primary = true;
}

void RwSplitter::on_primary_ready(std::span<const std::uint8_t> login_ok, SplitterOutput& out) {
  primary_.state = LegState::kReady;
  primary_.tracker =
      std::make_unique<ExchangeTracker>(settings_.capabilities, settings_.mariadb_capabilities);
  (void)primary_.tracker->on_login_ok(login_ok, "");
  for (const auto& statement : replay_) send_internal(Leg::kPrimary, Internal::kReplay, statement, out);
  const auto sqls = statements_.begin_reprepare();
  reprepares_left_ = sqls.size();
  for (std::size_t i = 0; i < sqls.size() && out.fatal.empty(); ++i) {
    Pending pending;
    pending.what = Internal::kPrepare;
    pending.prepare_index = i;
    send_internal_frame(Leg::kPrimary, std::move(pending), prepare_frame(sqls[i]), out);
  }
  if (primary_.pending.empty()) resume_parked(out);
}

void RwSplitter::on_primary_failed(const std::string& why, SplitterOutput& out) {
  out.fatal = "no new primary for the session: " + why;
}

// The primary leg is back and has the session's state: the client's commands go on.
void RwSplitter::resume_parked(SplitterOutput& out) {
  auto frames = std::move(parked_);
  parked_.clear();
  advance_held(out);
  for (const auto& frame : frames) {
    on_client_frame(frame, out);
    if (!out.fatal.empty()) return;
  }
}

void RwSplitter::forget_secondary(SplitterOutput& out, bool close) {
  if (secondary_.state == LegState::kClosed) return;
  secondary_ = LegData{};
  if (close) out.close_secondary = true;
  if (active_ == Leg::kSecondary) active_.reset();
}

// --- server frames --------------------------------------------------------------------------

void RwSplitter::on_server_frame(Leg l, std::span<const std::uint8_t> frame, SplitterOutput& out) {
  LegData& from = leg(l);
  if (from.state != LegState::kReady) return;
  const auto payload = payload_of(frame);
  auto progress = from.tracker->on_server_payload(payload);
  if (!progress) {
    out.fatal = "a storage node's reply cannot be followed: " + progress.error().message();
    return;
  }
  if (*progress == ResponseProgress::kServerGoodbye) {
    if (l == Leg::kPrimary) {
      out.fatal = "the primary ended the session";
      out.to_client.insert(out.to_client.end(), frame.begin(), frame.end());
    } else {
      forget_secondary(out, true);
      advance_held(out);
    }
    return;
  }
  const bool internal = !from.pending.empty() && from.pending.front().internal;
  const bool speculative = !from.pending.empty() && from.pending.front().speculative &&
                           !from.pending.front().discard;
  if (!from.pending.empty() && from.pending.front().discard) {
    // the reply of a read whose wait failed: it ran again on the primary
  } else if (speculative) {
    on_speculative_frame(frame, *progress == ResponseProgress::kComplete, out);
  } else if (internal) {
    from.pending.front().payloads.emplace_back(payload.begin(), payload.end());
  } else if (!from.pending.empty() && from.pending.front().prepare_sql) {
    forward_prepare_ok(from.pending.front(), frame, out);
  } else if (!from.pending.empty() && from.pending.front().after) {
    if (!after_) after_.emplace();
    after_collecting_ = true;
    after_->insert(after_->end(), frame.begin(), frame.end());
  } else {
    out.to_client.insert(out.to_client.end(), frame.begin(), frame.end());
  }
  if (*progress != ResponseProgress::kComplete || from.pending.empty()) return;
  Pending done = std::move(from.pending.front());
  from.pending.pop_front();
  if (done.internal) {
    on_internal_done(l, done, out);
  } else if (done.discard) {
    advance_held(out);  // (the caller reads the client again: accepting_client())
  } else if (speculative && held_ && held_->speculative) {
    // complete, its freshness still undecided: decide_speculation() answers the client
  } else {
    on_client_command_done(l, done, out);
    if (from.pending.empty() && active_ == l) active_.reset();
  }
}

void RwSplitter::on_client_command_done(Leg l, const Pending& done, SplitterOutput& out) {
  if (done.after) {
    after_collecting_ = false;
    if (from_error(l)) {
      on_members_applied(out);  // nothing was written: the reply goes out now
    } else {
      send_internal(Leg::kPrimary, Internal::kWrittenGtid, "SELECT @@SESSION.last_gtid", out);
    }
  }
  if (!done.replayable || from_error(l)) return;
  if (l == Leg::kSecondary) return;  // a session command that ran on the secondary stays there
  if (replay_.size() >= kMaxReplayStatements ||
      replay_bytes_ + done.replay_text.size() > kMaxReplayBytes) {
    pinned_ = true;  // too much state to replay: the session stays on the primary
    return;
  }
  replay_bytes_ += done.replay_text.size();
  replay_.push_back(done.replay_text);
}

bool RwSplitter::from_error(Leg l) { return leg(l).tracker->last_outcome().error_code != 0; }

void RwSplitter::on_internal_done(Leg l, Pending& done, SplitterOutput& out) {
  switch (done.what) {
    case Internal::kReplay:
      if (l == Leg::kPrimary) {
        if (is_error(done.payloads)) {
          out.fatal = "the new primary refused the session's state";
          return;
        }
        if (primary_.pending.empty()) resume_parked(out);
        return;
      }
      if (is_error(done.payloads)) {
        // The secondary cannot take the session's state: reads stay on the primary.
        secondary_unusable_ = true;
        forget_secondary(out, true);
      }
      break;
    case Internal::kPrepare: {
      const auto ok = done.payloads.empty() ? std::nullopt : prepare_ok(done.payloads.front());
      if (!ok) {
        out.fatal = "the new primary refused to prepare the session's statements again";
        return;
      }
      statements_.on_reprepared(done.prepare_index, ok->first);
      if (reprepares_left_ > 0) --reprepares_left_;
      if (primary_.pending.empty()) resume_parked(out);
      return;
    }
    case Internal::kPrimaryPosition: {
      if (!held_ || held_->on_member) return;  // the read it was for went elsewhere
      auto value = first_value(done.payloads, settings_.capabilities);
      if (held_->speculative) {
        held_->primary_position = value.value_or("");
        decide_speculation(out);
        return;
      }
      if (!value || value->empty()) {
        held_->wait_own_writes = held_->wait_before = false;  // nothing to wait for
      } else {
        wait_position_ = *value;
      }
      break;
    }
    case Internal::kSecondaryPosition: {
      if (!held_ || !held_->speculative) return;
      held_->secondary_position = first_value(done.payloads, settings_.capabilities).value_or("");
      decide_speculation(out);
      return;
    }
    case Internal::kWrittenGtid: {
      auto value = first_value(done.payloads, settings_.capabilities);
      if (!value || value->empty() || *value == last_written_gtid_) {
        on_members_applied(out);  // no new commit (inside a transaction, or nothing changed)
      } else {
        last_written_gtid_ = *value;
        out.wait_members_gtid = *value;
      }
      return;
    }
    case Internal::kWait: {
      auto value = first_value(done.payloads, settings_.capabilities);
      if (held_) {
        on_wait_answer(value == "0", out);
        return;
      }
      break;
    }
  }
  (void)l;
  advance_held(out);
}

}  // namespace grouter::routing
