// The command loop of a read/write-splitting session (access_mode = auto): which of the session's
// two server connections — the primary leg, opened at login, and a secondary leg, opened when the
// first read may use it — runs each client command, and what must happen on a leg before it
// does. Pure: frames in, frames and requests out; no sockets, loop or clock. The libuv side
// (routing/connection.cc) executes the output.
//
// A new command (not the rest of a LOCAL INFILE, a COM_CHANGE_USER or a 16 MiB payload) is routed
// once every leg is idle (a command pipelined behind another waits in the caller's buffer, see
// accepting_client()):
//   - grouter answers ROUTER SET access_mode, SET/SELECT @@SESSION.group_replication_consistency;
//   - the primary: writes, transactions (BEGIN ... COMMIT; everything while autocommit is 0),
//     locking reads, statements that pin the session (and everything after them), prepared
//     statements (under the ids the client first saw, statement_map.h), multi-statements, what the classifier cannot read, ROUTER SET access_mode =
//     'read_write';
//   - the secondary: autocommit reads, START TRANSACTION READ ONLY ... COMMIT, everything under
//     access_mode 'read_only' — when the group has a secondary that accepts the session; if not,
//     the primary (primary_only routes: always the primary);
//   - session commands (SET, SET NAMES, USE, COM_INIT_DB) run on the primary and, once they
//     succeeded, are replayed on the secondary leg before its next use.
// Before a read runs on the secondary leg: under BEFORE (and BEFORE_AND_AFTER) it waits until the
// secondary applied the primary's @@gtid_binlog_pos, read when the read arrived; after the
// session's own writes with wait_for_my_writes, until it applied the session's @@last_gtid. The
// read goes to the secondary at once, behind SELECT @@GLOBAL.gtid_slave_pos, while the primary is
// asked for the position (speculate()): when the secondary's position covers it, the read's reply
// is the answer; if not, it is dropped and the read runs again right behind a MASTER_GTID_WAIT. A
// wait that times out sends the read to the primary instead (the copy's reply is dropped). Under AFTER (and BEFORE_AND_AFTER) a
// write's reply is held until every ONLINE secondary applied it (wait_members_gtid). When the
// primary leg is lost, an idle session moves to a new one (on_primary_lost), its session commands
// replayed and its prepared statements prepared again.
//
// Ownership: one per session, on its loop.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "routing/classifier.h"
#include "routing/consistency.h"
#include "routing/exchange_tracker.h"
#include "routing/statement_map.h"

namespace grouter::routing {

enum class Leg : std::uint8_t { kPrimary, kSecondary };

struct SplitterSettings {
  std::uint32_t capabilities = 0;          // agreed with the client (and the legs)
  std::uint32_t mariadb_capabilities = 0;
  Consistency consistency = Consistency::kBeforeOnPrimaryFailover;  // the route's
  bool wait_for_my_writes = true;
  std::uint32_t wait_for_my_writes_timeout_s = 2;
  std::uint32_t before_timeout_s = 8;  // BEFORE's wait, then the primary
  // A terminated route to the primary only (?role=PRIMARY): no secondary leg; the loop still
  // gives it AFTER and the move to a new primary.
  bool primary_only = false;
  // A terminated group route to one member of the role it names (?role=SECONDARY, or
  // PRIMARY_AND_SECONDARY without access_mode auto): the session's one leg (Leg::kPrimary here)
  // is that member; no second leg, no move when it is lost. Under BEFORE each statement outside a
  // transaction waits on it for the group's position, read off the primary by the caller
  // (need_group_position), and fails with ER_GR_HOLD_WAIT_TIMEOUT when the wait times out.
  bool member_leg = false;
};

struct SplitterOutput {
  std::vector<std::uint8_t> to_client;
  std::vector<std::uint8_t> to_primary;
  std::vector<std::uint8_t> to_secondary;
  bool open_secondary = false;   // open the secondary leg, then on_secondary_ready / _failed
  bool open_primary = false;     // (re)open the primary leg, then on_primary_ready / _failed
  // AFTER: hold the write's reply until every ONLINE member applied this GTID, then
  // on_members_applied().
  std::string wait_members_gtid;
  bool close_secondary = false;  // close it (the splitter forgot it)
  // member_leg BEFORE: read the primary's @@gtid_binlog_pos now, then on_group_position().
  bool need_group_position = false;
  std::string fatal;             // not empty: end the session (after flushing to_client)

  std::vector<std::uint8_t>& to(Leg leg) { return leg == Leg::kPrimary ? to_primary : to_secondary; }
};

class RwSplitter {
 public:
  // LOGIN_OK: the primary's OK that ended the login (the session's first status).
  RwSplitter(SplitterSettings settings, std::span<const std::uint8_t> login_ok, std::string schema);

  // Whole frames (header included), in order.
  void on_client_frame(std::span<const std::uint8_t> frame, SplitterOutput& out);
  void on_server_frame(Leg leg, std::span<const std::uint8_t> frame, SplitterOutput& out);
  // The secondary leg logged in (LOGIN_OK: its OK), or could not be opened (no secondary, a
  // refusal): the held command then runs on the primary.
  void on_secondary_ready(std::span<const std::uint8_t> login_ok, SplitterOutput& out);
  void on_secondary_failed(const std::string& why, SplitterOutput& out);
  // The secondary leg closed after it was ready.
  void on_secondary_lost(const std::string& why, SplitterOutput& out);
  // AFTER: every ONLINE member applied the write (wait_members_gtid): its reply goes out.
  void on_members_applied(SplitterOutput& out);
  // The primary leg was lost (its connection closed, or its node is no longer the primary). An
  // idle session without state pinned to that node carries on: open_primary, the session
  // commands are replayed on the new primary, and the client's commands meanwhile wait; if it
  // was inside a transaction, its next command gets 2013 (the transaction is gone) and the
  // session goes on. Otherwise fatal.
  void on_primary_lost(const std::string& why, SplitterOutput& out);
  void on_primary_ready(std::span<const std::uint8_t> login_ok, SplitterOutput& out);
  void on_primary_failed(const std::string& why, SplitterOutput& out);
  // member_leg: the group's position asked for by need_group_position (nullopt: it could not be
  // read — no primary, or its link failed — and WHY says so).
  void on_group_position(const std::optional<std::string>& position, const std::string& why,
                         SplitterOutput& out);

  // False while a command waits for the secondary leg (the caller stops reading the client).
  // Whether the next client frame may come now. Between commands: once every leg is idle (a
  // pipelined command waits in the caller's buffer, then is routed on its own). During one: only
  // its own rest (a 16 MiB payload's next frame, LOCAL INFILE content, COM_CHANGE_USER's auth).
  bool accepting_client() const;
  bool secondary_open() const { return secondary_.state != LegState::kClosed; }
  // Where the last command ran; for tests and the log.
  std::optional<Leg> last_leg() const { return last_leg_; }
  Consistency consistency() const { return consistency_; }

 private:
  enum class LegState : std::uint8_t { kClosed, kOpening, kReady };
  enum class Internal : std::uint8_t {
    kReplay, kPrepare, kPrimaryPosition, kSecondaryPosition, kWait, kWrittenGtid };
  struct Pending {
    bool internal = false;
    Internal what = Internal::kReplay;
    std::vector<std::vector<std::uint8_t>> payloads;  // an internal query's reply
    Classification classification;                    // a client's COM_QUERY
    bool query = false;
    bool replayable = false;     // a session command: replay it on the other leg on success
    std::string replay_text;     // what to replay
    bool after = false;          // AFTER: hold the reply until the members applied the write
    bool discard = false;        // a read sent behind a wait that failed: its reply is dropped
    bool speculative = false;    // a read sent before it is known to be fresh enough: held back
    std::optional<std::string> prepare_sql;  // a client's COM_STMT_PREPARE, until its PREPARE_OK
    std::size_t prepare_index = 0;           // kPrepare: which statement of the session
  };
  struct LegData {
    LegState state = LegState::kClosed;
    std::unique_ptr<ExchangeTracker> tracker;
    std::deque<Pending> pending;
    std::size_t replayed = 0;  // replay_ entries this leg has run (the secondary's)
  };
  // A command waiting for the secondary leg: its frames and what must happen first.
  struct Held {
    std::vector<std::vector<std::uint8_t>> frames;
    Pending pending;
    bool wait_before = false;     // BEFORE: the primary's position
    bool wait_own_writes = false;  // wait_for_my_writes: the session's last GTID
    std::uint32_t wait_timeout_s = 0;
    // The read went to the secondary right behind its MASTER_GTID_WAIT (one round trip, not two);
    // the wait's answer decides whether its reply reaches the client.
    bool sent_behind_wait = false;
    bool to_primary = false;  // the wait failed: the read runs on the primary, once it is ready
    bool on_member = false;   // member_leg: waits on the session's one leg; a failed wait fails
    // The read went to the secondary at once, behind SELECT @@GLOBAL.gtid_slave_pos, while the
    // primary is asked for the position to wait for: when the secondary's position (read before
    // the read ran) covers it, the read's reply is the answer — no wait, no extra round trip.
    bool speculative = false;
    std::optional<std::string> primary_position;    // "" when there is nothing to wait for
    std::optional<std::string> secondary_position;  // nullopt until known; "" when unreadable
    std::vector<std::uint8_t> reply;  // the read's reply frames while undecided (bounded)
    bool reply_complete = false;
  };

  LegData& leg(Leg l) { return l == Leg::kPrimary ? primary_ : secondary_; }
  Leg route(const Pending& pending, std::uint8_t command) const;
  void start_command(std::span<const std::uint8_t> frame, SplitterOutput& out);
  bool answer_locally(const Classification& c, SplitterOutput& out);
  void send_to_leg(Leg l, Pending pending, std::span<const std::uint8_t> frame, SplitterOutput& out);
  void advance_held(SplitterOutput& out);
  void release_held(Leg l, SplitterOutput& out);
  void send_behind_wait(Leg l, SplitterOutput& out);
  bool speculate(SplitterOutput& out);
  void on_speculative_frame(std::span<const std::uint8_t> frame, bool complete, SplitterOutput& out);
  void decide_speculation(SplitterOutput& out);
  void abandon_speculation();
  bool hold_for_group_position(std::span<const std::uint8_t> frame, Pending& pending,
                               SplitterOutput& out);
  void fail_held(const std::string& why, SplitterOutput& out);
  void on_wait_answer(bool reached, SplitterOutput& out);
  void send_internal(Leg l, Internal what, const std::string& sql, SplitterOutput& out);
  void send_internal_frame(Leg l, Pending pending, std::span<const std::uint8_t> frame,
                           SplitterOutput& out);
  bool send_statement_command(Pending pending, std::span<const std::uint8_t> frame,
                              SplitterOutput& out);
  void forward_prepare_ok(Pending& pending, std::span<const std::uint8_t> frame, SplitterOutput& out);
  void on_internal_done(Leg l, Pending& done, SplitterOutput& out);
  void on_client_command_done(Leg l, const Pending& done, SplitterOutput& out);
  void reply_to_client(const std::vector<std::vector<std::uint8_t>>& payloads, SplitterOutput& out);
  void forget_secondary(SplitterOutput& out, bool close);
  bool legs_idle() const;
  bool from_error(Leg l);

  const SplitterSettings settings_;
  Consistency consistency_;
  LegData primary_;
  LegData secondary_;
  std::optional<Leg> active_;    // where the command in flight runs
  std::optional<Leg> last_leg_;  // where the last command ran
  std::optional<AccessMode> access_override_;
  bool pinned_ = false;
  bool secondary_unusable_ = false;  // failed to open or replay: reads stay on the primary
  bool wrote_since_sync_ = false;    // the session wrote on the primary since the secondary synced
  bool client_continues_ = false;    // the last client frame was a full kMaxPayloadSize one
  std::vector<std::string> replay_;  // session commands, in order, for the secondary leg
  StatementMap statements_;          // the client's prepared statements and the primary's ids
  std::size_t reprepares_left_ = 0;  // on a new primary: its ids are not known yet
  std::size_t replay_bytes_ = 0;
  std::optional<Held> held_;
  // AFTER: the reply of a write, held until the members applied it.
  std::optional<std::vector<std::uint8_t>> after_;
  bool after_collecting_ = false;  // the reply is still arriving
  std::string last_written_gtid_;   // the session's @@last_gtid at the last AFTER check
  std::string wait_position_;  // the GTID position the held read waits for
  // While the primary leg is being replaced: the client's frames, in order.
  std::vector<std::vector<std::uint8_t>> parked_;
  bool transaction_lost_ = false;  // the lost primary held the session's open transaction
  bool user_changed_ = false;      // COM_CHANGE_USER: the client's first login no longer applies
  void resume_parked(SplitterOutput& out);
};

}  // namespace grouter::routing
