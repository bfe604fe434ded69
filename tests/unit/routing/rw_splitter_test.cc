// The read/write-splitting command loop, frame by frame: which leg runs each command, what runs
// on the secondary leg first (replayed session commands, GTID waits), and what grouter answers.
#include "routing/rw_splitter.h"

#include <gtest/gtest.h>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "routing/local_reply.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = wire::capability;
using Bytes = std::vector<std::uint8_t>;

constexpr std::uint32_t kCaps = cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth |
                                cap::kTransactions | cap::kMultiResults | cap::kLongFlag |
                                cap::kDeprecateEof;
constexpr std::uint16_t kAutocommit = wire::server_status::kAutocommit;
constexpr std::uint16_t kInTrans = wire::server_status::kInTrans;

Bytes frames(const Payloads& payloads, std::uint8_t first_sequence_id) {
  Bytes out;
  std::uint8_t sequence_id = first_sequence_id;
  for (const auto& p : payloads) wire::append_frames(out, sequence_id, p);
  return out;
}

Bytes query(const std::string& sql) {
  Bytes payload{wire::command_byte(wire::Command::kQuery)};
  payload.insert(payload.end(), sql.begin(), sql.end());
  return frames({payload}, 0);
}

Bytes ok(std::uint16_t status = kAutocommit) { return frames(ok_reply(status, kCaps), 1); }
Bytes value(const std::string& v) {
  return frames(one_value_reply("v", v, kAutocommit, kCaps, 0), 1);
}

// The SQL texts of the COM_QUERY frames in BYTES.
std::vector<std::string> queries_in(const Bytes& bytes) {
  std::vector<std::string> out;
  std::span<const std::uint8_t> rest(bytes);
  while (!rest.empty()) {
    auto f = wire::decode_frame(rest);
    if (!f) break;
    if (!f->payload.empty() && f->payload[0] == wire::command_byte(wire::Command::kQuery)) {
      out.emplace_back(reinterpret_cast<const char*>(f->payload.data() + 1), f->payload.size() - 1);
    }
    rest = rest.subspan(f->size());
  }
  return out;
}

void feed(RwSplitter& s, Leg leg, const Bytes& bytes, SplitterOutput& out) {
  std::span<const std::uint8_t> rest(bytes);
  while (!rest.empty()) {
    auto f = wire::decode_frame(rest);
    ASSERT_TRUE(f.has_value());
    s.on_server_frame(leg, rest.first(f->size()), out);
    rest = rest.subspan(f->size());
  }
}

struct Session {
  SplitterSettings settings;
  std::unique_ptr<RwSplitter> splitter;
  SplitterOutput out;

  explicit Session(Consistency consistency = Consistency::kEventual, bool wait_for_my_writes = true) {
    settings.capabilities = kCaps;
    settings.consistency = consistency;
    settings.wait_for_my_writes = wait_for_my_writes;
    Bytes login_ok;
    wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
    splitter = std::make_unique<RwSplitter>(settings, login_ok, "test");
  }
  SplitterOutput& client(const std::string& sql) {
    out = {};
    splitter->on_client_frame(query(sql), out);
    return out;
  }
  SplitterOutput& server(Leg leg, const Bytes& bytes) {
    out = {};
    feed(*splitter, leg, bytes, out);
    return out;
  }
  SplitterOutput& secondary_ready() {
    out = {};
    Bytes login_ok;
    wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
    splitter->on_secondary_ready(login_ok, out);
    return out;
  }
};

TEST(RwSplitter, AReadOpensTheSecondaryLegAndRunsThere) {
  Session s;
  auto& first = s.client("SELECT 1");
  EXPECT_TRUE(first.open_secondary);
  EXPECT_TRUE(first.to_primary.empty());
  EXPECT_FALSE(s.splitter->accepting_client());
  auto& ready = s.secondary_ready();
  EXPECT_EQ(queries_in(ready.to_secondary), std::vector<std::string>{"SELECT 1"});
  auto& reply = s.server(Leg::kSecondary, value("1"));
  EXPECT_EQ(reply.to_client, value("1"));
  EXPECT_TRUE(s.splitter->accepting_client());
  EXPECT_EQ(s.splitter->last_leg(), Leg::kSecondary);
  // The next read reuses the open leg.
  EXPECT_EQ(queries_in(s.client("SELECT 2").to_secondary), std::vector<std::string>{"SELECT 2"});
}

TEST(RwSplitter, WritesAndTransactionsRunOnThePrimary) {
  Session s(Consistency::kEventual, false);
  EXPECT_EQ(queries_in(s.client("INSERT INTO t VALUES (1)").to_primary),
            std::vector<std::string>{"INSERT INTO t VALUES (1)"});
  EXPECT_EQ(s.server(Leg::kPrimary, ok()).to_client, ok());
  EXPECT_EQ(queries_in(s.client("BEGIN").to_primary), std::vector<std::string>{"BEGIN"});
  (void)s.server(Leg::kPrimary, ok(kAutocommit | kInTrans));
  EXPECT_EQ(queries_in(s.client("SELECT 1").to_primary), std::vector<std::string>{"SELECT 1"});
  (void)s.server(Leg::kPrimary, frames(one_value_reply("v", "1", kAutocommit | kInTrans, kCaps, 0), 1));
  (void)s.client("COMMIT");
  (void)s.server(Leg::kPrimary, ok());
  EXPECT_TRUE(s.client("SELECT 1").open_secondary);  // outside the transaction: a secondary
}

TEST(RwSplitter, SessionCommandsAreReplayedOnTheSecondaryBeforeItsNextRead) {
  Session s(Consistency::kEventual, false);
  (void)s.client("SET @x = 1");
  (void)s.server(Leg::kPrimary, ok());
  (void)s.client("USE other");
  (void)s.server(Leg::kPrimary, ok());
  (void)s.client("SELECT @x");
  auto& ready = s.secondary_ready();
  EXPECT_EQ(queries_in(ready.to_secondary), (std::vector<std::string>{"SET @x = 1", "USE other"}));
  EXPECT_TRUE(s.server(Leg::kSecondary, ok()).to_client.empty());  // grouter's own: swallowed
  auto& after = s.server(Leg::kSecondary, ok());
  EXPECT_TRUE(after.to_client.empty());
  EXPECT_EQ(queries_in(after.to_secondary), std::vector<std::string>{"SELECT @x"});
  // A failed session command is not replayed.
  (void)s.server(Leg::kSecondary, value("1"));
  (void)s.client("SET @y = nonsense(");
  Payloads err = err_reply(1064, "42000", "syntax", kCaps);
  (void)s.server(Leg::kPrimary, frames(err, 1));
  EXPECT_TRUE(queries_in(s.client("SELECT 3").to_secondary) == std::vector<std::string>{"SELECT 3"});
}

// The secondary's answers to a speculative read: its position (read before the read ran), then
// the read's reply.
const std::vector<std::string> kSpeculation = {"SELECT @@GLOBAL.gtid_slave_pos"};

std::vector<std::string> speculation(const std::string& read) {
  auto out = kSpeculation;
  out.push_back(read);
  return out;
}

TEST(RwSplitter, AFreshSecondaryAnswersABeforeReadWithoutAnyWait) {
  Session s(Consistency::kBefore, false);
  (void)s.client("SELECT a FROM t");
  auto& ready = s.secondary_ready();
  // At once: the primary is asked for its position, the secondary for its own, then the read.
  EXPECT_EQ(queries_in(ready.to_primary), std::vector<std::string>{"SELECT @@GLOBAL.gtid_binlog_pos"});
  EXPECT_EQ(queries_in(ready.to_secondary), speculation("SELECT a FROM t"));
  EXPECT_TRUE(s.server(Leg::kSecondary, value("0-3-40,1-2-9")).to_client.empty());
  // The read's reply waits until its freshness is known...
  EXPECT_TRUE(s.server(Leg::kSecondary, value("x")).to_client.empty());
  EXPECT_FALSE(s.splitter->accepting_client());
  // ...and the secondary had the primary's position before the read ran: it is the answer.
  auto& decided = s.server(Leg::kPrimary, value("0-3-40,1-2-5"));
  EXPECT_EQ(decided.to_client, value("x"));
  EXPECT_TRUE(decided.to_secondary.empty());
  EXPECT_TRUE(s.splitter->accepting_client());
  EXPECT_EQ(s.splitter->last_leg(), Leg::kSecondary);
}

TEST(RwSplitter, ADecisionBeforeTheReadsReplyLetsTheReplyStreamThrough) {
  Session s(Consistency::kBefore, false);
  (void)s.client("SELECT a FROM t");
  (void)s.secondary_ready();
  (void)s.server(Leg::kPrimary, value(""));  // the primary has committed nothing
  EXPECT_TRUE(s.server(Leg::kSecondary, value("")).to_client.empty());
  EXPECT_EQ(s.server(Leg::kSecondary, value("x")).to_client, value("x"));
  EXPECT_TRUE(s.splitter->accepting_client());
}

TEST(RwSplitter, AReadAfterTheSessionsOwnWriteWaitsForItsGtid) {
  Session s(Consistency::kEventual, true);
  (void)s.client("INSERT INTO t VALUES (1)");
  (void)s.server(Leg::kPrimary, ok());
  (void)s.client("SELECT * FROM t");
  auto& ready = s.secondary_ready();
  EXPECT_EQ(queries_in(ready.to_primary), std::vector<std::string>{"SELECT @@SESSION.last_gtid"});
  EXPECT_EQ(queries_in(ready.to_secondary), speculation("SELECT * FROM t"));
  (void)s.server(Leg::kPrimary, value("0-3-17"));
  // The secondary had not applied it when the read ran: the read's reply is dropped...
  auto& lagging = s.server(Leg::kSecondary, value("0-3-16"));
  EXPECT_TRUE(lagging.to_client.empty() && lagging.to_secondary.empty());
  auto& dropped = s.server(Leg::kSecondary, value("stale"));
  EXPECT_TRUE(dropped.to_client.empty());
  // ...and the read goes again, right behind a wait for the session's GTID.
  EXPECT_EQ(queries_in(dropped.to_secondary),
            (std::vector<std::string>{"SELECT MASTER_GTID_WAIT('0-3-17', 2)", "SELECT * FROM t"}));
  EXPECT_FALSE(s.splitter->accepting_client());
  auto& waited = s.server(Leg::kSecondary, value("0"));
  EXPECT_TRUE(waited.to_secondary.empty() && waited.to_client.empty());
  EXPECT_EQ(s.server(Leg::kSecondary, value("1")).to_client, value("1"));
  EXPECT_EQ(s.splitter->last_leg(), Leg::kSecondary);
  // Synced: the next read does not wait.
  EXPECT_EQ(queries_in(s.client("SELECT 2").to_secondary), std::vector<std::string>{"SELECT 2"});
}

// Brings a BEFORE read to its wait: the secondary lags behind the primary's 0-3-18.
void lag_to_the_wait(Session& s, const std::string& read) {
  (void)s.client(read);
  (void)s.secondary_ready();
  (void)s.server(Leg::kPrimary, value("0-3-18"));
  (void)s.server(Leg::kSecondary, value("0-3-2"));
  auto& dropped = s.server(Leg::kSecondary, value("stale"));
  ASSERT_EQ(queries_in(dropped.to_secondary),
            (std::vector<std::string>{"SELECT MASTER_GTID_WAIT('0-3-18', 8)", read}));
}

TEST(RwSplitter, AWaitThatTimesOutSendsTheReadToThePrimary) {
  Session s(Consistency::kBefore, false);
  lag_to_the_wait(s, "SELECT * FROM t");
  auto& timed_out = s.server(Leg::kSecondary, value("-1"));
  EXPECT_EQ(queries_in(timed_out.to_primary), std::vector<std::string>{"SELECT * FROM t"});
  EXPECT_TRUE(timed_out.to_secondary.empty());
  // The stale answer of the copy sent behind the wait is dropped; the primary's reaches the client.
  EXPECT_TRUE(s.server(Leg::kSecondary, value("stale")).to_client.empty());
  EXPECT_FALSE(s.splitter->accepting_client());
  EXPECT_EQ(s.server(Leg::kPrimary, value("fresh")).to_client, value("fresh"));
  EXPECT_TRUE(s.splitter->accepting_client());
  EXPECT_EQ(s.splitter->last_leg(), Leg::kPrimary);
}

TEST(RwSplitter, TheStaleReplyMayComeAfterThePrimarysAndIsStillDropped) {
  Session s(Consistency::kBefore, false);
  lag_to_the_wait(s, "SELECT a FROM t");
  (void)s.server(Leg::kSecondary, value("-1"));
  EXPECT_EQ(s.server(Leg::kPrimary, value("fresh")).to_client, value("fresh"));
  EXPECT_FALSE(s.splitter->accepting_client());  // the secondary still runs the dropped copy
  EXPECT_TRUE(s.server(Leg::kSecondary, value("stale")).to_client.empty());
  EXPECT_TRUE(s.splitter->accepting_client());
}

TEST(RwSplitter, ASecondaryLostDuringTheWaitSendsTheReadToThePrimary) {
  Session s(Consistency::kBefore, false);
  lag_to_the_wait(s, "SELECT a FROM t");
  s.out = {};
  s.splitter->on_secondary_lost("gone", s.out);
  EXPECT_TRUE(s.out.fatal.empty());
  EXPECT_EQ(queries_in(s.out.to_primary), std::vector<std::string>{"SELECT a FROM t"});
  EXPECT_EQ(s.server(Leg::kPrimary, value("fresh")).to_client, value("fresh"));
}

TEST(RwSplitter, ASecondaryLostWhileTheReadIsUndecidedSendsItToThePrimary) {
  Session s(Consistency::kBefore, false);
  (void)s.client("SELECT a FROM t");
  (void)s.secondary_ready();
  (void)s.server(Leg::kSecondary, value("0-3-18"));
  s.out = {};
  s.splitter->on_secondary_lost("gone", s.out);
  EXPECT_TRUE(s.out.fatal.empty());
  EXPECT_EQ(queries_in(s.out.to_primary), std::vector<std::string>{"SELECT a FROM t"});
  EXPECT_TRUE(s.server(Leg::kPrimary, value("0-3-18")).to_client.empty());  // the position, unused
  EXPECT_EQ(s.server(Leg::kPrimary, value("fresh")).to_client, value("fresh"));
  EXPECT_TRUE(s.splitter->accepting_client());
}

TEST(RwSplitter, APrimaryLostWhileTheReadIsUndecidedAsksTheNewPrimary) {
  Session s(Consistency::kBefore, false);
  (void)s.client("SELECT a FROM t");
  (void)s.secondary_ready();
  s.out = {};
  s.splitter->on_primary_lost("the primary changed", s.out);
  ASSERT_TRUE(s.out.fatal.empty());
  // The secondary's position and the read's reply: no position to judge them by, dropped.
  EXPECT_TRUE(s.server(Leg::kSecondary, value("0-3-18")).to_client.empty());
  EXPECT_TRUE(s.server(Leg::kSecondary, value("maybe stale")).to_client.empty());
  s.out = {};
  Bytes login_ok;
  wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
  s.splitter->on_primary_ready(login_ok, s.out);
  EXPECT_EQ(queries_in(s.out.to_primary), std::vector<std::string>{"SELECT @@GLOBAL.gtid_binlog_pos"});
  EXPECT_EQ(queries_in(s.out.to_secondary), speculation("SELECT a FROM t"));
  (void)s.server(Leg::kSecondary, value("0-3-20"));
  (void)s.server(Leg::kSecondary, value("fresh"));
  EXPECT_EQ(s.server(Leg::kPrimary, value("0-3-20")).to_client, value("fresh"));
}

TEST(RwSplitter, AWaitThatFailsWhileThePrimaryIsReplacedRunsTheReadOnTheNewPrimary) {
  Session s(Consistency::kBefore, false);
  lag_to_the_wait(s, "SELECT a FROM t");
  s.out = {};
  s.splitter->on_primary_lost("the primary changed", s.out);
  ASSERT_TRUE(s.out.fatal.empty());
  EXPECT_TRUE(s.out.open_primary);
  auto& timed_out = s.server(Leg::kSecondary, value("-1"));
  EXPECT_TRUE(timed_out.to_primary.empty());  // no primary yet
  EXPECT_TRUE(s.server(Leg::kSecondary, value("stale")).to_client.empty());
  s.out = {};
  Bytes login_ok;
  wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
  s.splitter->on_primary_ready(login_ok, s.out);
  EXPECT_EQ(queries_in(s.out.to_primary), std::vector<std::string>{"SELECT a FROM t"});
  EXPECT_EQ(s.server(Leg::kPrimary, value("fresh")).to_client, value("fresh"));
}

TEST(RwSplitter, BeforeWaitsForThePrimarysPosition) {
  Session s(Consistency::kBefore, false);
  (void)s.client("SELECT 1");
  auto& ready = s.secondary_ready();
  EXPECT_EQ(queries_in(ready.to_primary), std::vector<std::string>{"SELECT @@GLOBAL.gtid_binlog_pos"});
  (void)s.server(Leg::kPrimary, value("0-3-40,1-2-5"));
  (void)s.server(Leg::kSecondary, value("0-3-40"));  // domain 1 missing: not there yet
  auto& dropped = s.server(Leg::kSecondary, value("1"));
  EXPECT_EQ(queries_in(dropped.to_secondary),
            (std::vector<std::string>{"SELECT MASTER_GTID_WAIT('0-3-40,1-2-5', 8)", "SELECT 1"}));
  EXPECT_TRUE(s.server(Leg::kSecondary, value("0")).to_client.empty());
  EXPECT_EQ(s.server(Leg::kSecondary, value("1")).to_client, value("1"));
}

TEST(RwSplitter, GrouterAnswersRouterSetAndTheSessionConsistency) {
  Session s;
  auto& set = s.client("ROUTER SET access_mode = 'read_write'");
  EXPECT_EQ(set.to_client, ok());
  EXPECT_TRUE(set.to_primary.empty() && set.to_secondary.empty());
  EXPECT_EQ(queries_in(s.client("SELECT 1").to_primary), std::vector<std::string>{"SELECT 1"});
  (void)s.server(Leg::kPrimary, value("1"));
  (void)s.client("ROUTER SET access_mode = 'auto'");

  EXPECT_EQ(s.client("SET @@SESSION.group_replication_consistency = 'BEFORE'").to_client, ok());
  EXPECT_EQ(s.splitter->consistency(), Consistency::kBefore);
  auto& read_back = s.client("SELECT @@SESSION.group_replication_consistency");
  EXPECT_EQ(read_back.to_client,
            frames(one_value_reply("@@SESSION.group_replication_consistency", "BEFORE", kAutocommit,
                                   kCaps, 0),
                   1));
  auto err = wire::decode_err_payload(
      std::span(s.client("SET @@SESSION.group_replication_consistency = 'SOON'").to_client)
          .subspan(wire::kFrameHeaderSize),
      kCaps);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->error_code, 1231);
}

TEST(RwSplitter, WithoutASecondaryTheReadRunsOnThePrimary) {
  Session s;
  EXPECT_TRUE(s.client("SELECT 1").open_secondary);
  SplitterOutput out;
  s.splitter->on_secondary_failed("no ONLINE secondary", out);
  EXPECT_EQ(queries_in(out.to_primary), std::vector<std::string>{"SELECT 1"});
  EXPECT_FALSE(s.splitter->accepting_client());  // the read runs: the next command waits
  EXPECT_EQ(s.server(Leg::kPrimary, value("1")).to_client, value("1"));
  EXPECT_TRUE(s.splitter->accepting_client());
}

TEST(RwSplitter, ACommandPipelinedBehindAnotherWaitsAndIsRoutedOnItsOwn) {
  Session s(Consistency::kEventual, false);
  (void)s.client("SELECT 1");  // held: the secondary leg opens
  EXPECT_FALSE(s.splitter->accepting_client());  // the caller keeps the INSERT behind it
  (void)s.secondary_ready();
  EXPECT_FALSE(s.splitter->accepting_client());  // the read runs on the secondary
  (void)s.server(Leg::kSecondary, value("1"));
  EXPECT_TRUE(s.splitter->accepting_client());
  EXPECT_EQ(queries_in(s.client("INSERT INTO t VALUES (1)").to_primary),
            std::vector<std::string>{"INSERT INTO t VALUES (1)"});  // a write: the primary
}

TEST(RwSplitter, PinningStatementsKeepTheSessionOnThePrimary) {
  Session s(Consistency::kEventual, false);
  (void)s.client("CREATE TEMPORARY TABLE tmp (a INT)");
  (void)s.server(Leg::kPrimary, ok());
  EXPECT_EQ(queries_in(s.client("SELECT * FROM tmp").to_primary),
            std::vector<std::string>{"SELECT * FROM tmp"});
}

TEST(RwSplitter, AfterHoldsAWritesOkUntilTheMembersAppliedIt) {
  Session s(Consistency::kAfter, false);
  (void)s.client("INSERT INTO t VALUES (1)");
  auto& reply = s.server(Leg::kPrimary, ok());
  EXPECT_TRUE(reply.to_client.empty());  // held
  EXPECT_EQ(queries_in(reply.to_primary), std::vector<std::string>{"SELECT @@SESSION.last_gtid"});
  EXPECT_FALSE(s.splitter->accepting_client());
  auto& gtid = s.server(Leg::kPrimary, value("0-3-9"));
  EXPECT_EQ(gtid.wait_members_gtid, "0-3-9");
  EXPECT_TRUE(gtid.to_client.empty());
  SplitterOutput out;
  s.splitter->on_members_applied(out);
  EXPECT_EQ(out.to_client, ok());
  EXPECT_TRUE(s.splitter->accepting_client());
  // A write that committed nothing new (the same @@last_gtid) is answered at once.
  (void)s.client("UPDATE t SET a = a WHERE 0");
  (void)s.server(Leg::kPrimary, ok());
  auto& same = s.server(Leg::kPrimary, value("0-3-9"));
  EXPECT_TRUE(same.wait_members_gtid.empty());
  EXPECT_EQ(same.to_client, ok());
  // A failed write is answered at once, without asking for a GTID.
  (void)s.client("INSERT INTO missing VALUES (1)");
  auto& failed = s.server(Leg::kPrimary, frames(err_reply(1146, "42S02", "no table", kCaps), 1));
  EXPECT_TRUE(failed.to_primary.empty());
  EXPECT_EQ(failed.to_client, frames(err_reply(1146, "42S02", "no table", kCaps), 1));
  // Reads are not held.
  (void)s.client("SELECT 1");
}

TEST(RwSplitter, AnIdleSessionMovesToTheNewPrimaryWithItsState) {
  Session s(Consistency::kEventual, false);
  (void)s.client("SET @x = 1");
  (void)s.server(Leg::kPrimary, ok());
  SplitterOutput lost;
  s.splitter->on_primary_lost("connection closed", lost);
  EXPECT_TRUE(lost.fatal.empty()) << lost.fatal;
  EXPECT_TRUE(lost.open_primary);
  EXPECT_FALSE(s.splitter->accepting_client());
  auto& parked = s.client("INSERT INTO t VALUES (2)");
  EXPECT_TRUE(parked.to_primary.empty());  // waits for the new primary
  SplitterOutput ready;
  Bytes login_ok;
  wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
  s.splitter->on_primary_ready(login_ok, ready);
  EXPECT_EQ(queries_in(ready.to_primary), std::vector<std::string>{"SET @x = 1"});  // replayed
  auto& replayed = s.server(Leg::kPrimary, ok());
  EXPECT_TRUE(replayed.to_client.empty());
  EXPECT_EQ(queries_in(replayed.to_primary), std::vector<std::string>{"INSERT INTO t VALUES (2)"});
  EXPECT_EQ(s.server(Leg::kPrimary, ok()).to_client, ok());
  EXPECT_TRUE(s.splitter->accepting_client());
}

Bytes command_with_id(wire::Command command, std::uint32_t id, Bytes rest = {}) {
  Bytes payload{wire::command_byte(command), static_cast<std::uint8_t>(id),
                static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id >> 16),
                static_cast<std::uint8_t>(id >> 24)};
  payload.insert(payload.end(), rest.begin(), rest.end());
  return frames({payload}, 0);
}

// PREPARE_OK of a statement without parameters or columns (the whole reply).
Bytes prepare_ok(std::uint32_t id) {
  Bytes payload{0x00, static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(id >> 8),
                static_cast<std::uint8_t>(id >> 16), static_cast<std::uint8_t>(id >> 24),
                0, 0, 0, 0, 0, 0, 0};
  return frames({payload}, 1);
}

TEST(RwSplitter, PreparedStatementsArePreparedAgainOnTheNewPrimaryUnderTheClientsIds) {
  Session s(Consistency::kEventual, false);
  s.out = {};
  Bytes prepare_payload{wire::command_byte(wire::Command::kStmtPrepare)};
  for (char c : std::string("DELETE FROM t")) prepare_payload.push_back(static_cast<std::uint8_t>(c));
  s.splitter->on_client_frame(frames({prepare_payload}, 0), s.out);
  EXPECT_EQ(s.out.to_primary, frames({prepare_payload}, 0));
  EXPECT_EQ(s.server(Leg::kPrimary, prepare_ok(1)).to_client, prepare_ok(1));
  const Bytes execute_rest{0x00, 1, 0, 0, 0};  // no cursor, one iteration
  s.out = {};
  s.splitter->on_client_frame(command_with_id(wire::Command::kStmtExecute, 1, execute_rest), s.out);
  EXPECT_EQ(s.out.to_primary, command_with_id(wire::Command::kStmtExecute, 1, execute_rest));
  (void)s.server(Leg::kPrimary, ok());

  SplitterOutput lost;
  s.splitter->on_primary_lost("closed", lost);
  ASSERT_TRUE(lost.fatal.empty()) << lost.fatal;
  SplitterOutput ready;
  Bytes login_ok;
  wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
  s.splitter->on_primary_ready(login_ok, ready);
  EXPECT_EQ(ready.to_primary, frames({prepare_payload}, 0));  // prepared again
  EXPECT_FALSE(s.splitter->accepting_client());
  auto& reprepared = s.server(Leg::kPrimary, prepare_ok(7));
  EXPECT_TRUE(reprepared.to_client.empty());  // grouter's own
  EXPECT_TRUE(s.splitter->accepting_client());
  // The client's id 1 is the new server's 7.
  s.out = {};
  s.splitter->on_client_frame(command_with_id(wire::Command::kStmtExecute, 1, execute_rest), s.out);
  EXPECT_EQ(s.out.to_primary, command_with_id(wire::Command::kStmtExecute, 7, execute_rest));
  EXPECT_EQ(s.server(Leg::kPrimary, ok()).to_client, ok());
  s.out = {};
  s.splitter->on_client_frame(command_with_id(wire::Command::kStmtClose, 1), s.out);
  EXPECT_EQ(s.out.to_primary, command_with_id(wire::Command::kStmtClose, 7));
}

TEST(RwSplitter, ASessionWithLongDataPendingCannotMove) {
  Session s(Consistency::kEventual, false);
  s.out = {};
  Bytes prepare_payload{wire::command_byte(wire::Command::kStmtPrepare), 'D', 'O', ' ', '1'};
  s.splitter->on_client_frame(frames({prepare_payload}, 0), s.out);
  (void)s.server(Leg::kPrimary, prepare_ok(1));
  s.out = {};
  s.splitter->on_client_frame(command_with_id(wire::Command::kStmtSendLongData, 1, {0, 0, 'x'}),
                              s.out);
  SplitterOutput lost;
  s.splitter->on_primary_lost("closed", lost);
  EXPECT_NE(lost.fatal.find("long data"), std::string::npos) << lost.fatal;
}

Session member_session(Consistency consistency) {
  Session s(consistency, false);
  s.settings.member_leg = true;
  Bytes login_ok;
  wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
  s.splitter = std::make_unique<RwSplitter>(s.settings, login_ok, "test");
  return s;
}

TEST(RwSplitter, OnAMemberRouteBeforeWaitsForTheGroupsPositionThenRunsBehindTheWait) {
  Session s = member_session(Consistency::kBefore);
  auto& held = s.client("SELECT a FROM t");
  EXPECT_TRUE(held.need_group_position);
  EXPECT_TRUE(held.to_primary.empty());
  EXPECT_FALSE(s.splitter->accepting_client());
  s.out = {};
  s.splitter->on_group_position("0-1-30", "", s.out);
  EXPECT_EQ(queries_in(s.out.to_primary),
            (std::vector<std::string>{"SELECT MASTER_GTID_WAIT('0-1-30', 8)", "SELECT a FROM t"}));
  EXPECT_TRUE(s.server(Leg::kPrimary, value("0")).to_client.empty());
  EXPECT_EQ(s.server(Leg::kPrimary, value("x")).to_client, value("x"));
  EXPECT_TRUE(s.splitter->accepting_client());
  // Session commands and statements inside a transaction do not wait; BEGIN does.
  EXPECT_FALSE(s.client("SET @a = 1").need_group_position);
  (void)s.server(Leg::kPrimary, ok());
  EXPECT_TRUE(s.client("BEGIN").need_group_position);
  s.out = {};
  s.splitter->on_group_position("", "", s.out);  // nothing committed yet: no wait
  EXPECT_EQ(queries_in(s.out.to_primary), std::vector<std::string>{"BEGIN"});
  (void)s.server(Leg::kPrimary, ok(kAutocommit | kInTrans));
  auto& inside = s.client("SELECT b FROM t");
  EXPECT_FALSE(inside.need_group_position);
  EXPECT_EQ(queries_in(inside.to_primary), std::vector<std::string>{"SELECT b FROM t"});
}

TEST(RwSplitter, OnAMemberRouteAFailedWaitGivesGrsErrorAndTheSessionGoesOn) {
  Session s = member_session(Consistency::kBefore);
  (void)s.client("SELECT a FROM t");
  s.out = {};
  s.splitter->on_group_position("0-1-31", "", s.out);
  auto& failed = s.server(Leg::kPrimary, value("-1"));
  auto err = wire::decode_err_payload(std::span(failed.to_client).subspan(wire::kFrameHeaderSize), kCaps);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->error_code, 3781);
  EXPECT_FALSE(s.splitter->accepting_client());  // the stale copy still runs
  EXPECT_TRUE(s.server(Leg::kPrimary, value("stale")).to_client.empty());
  EXPECT_TRUE(s.splitter->accepting_client());
  // No position (no primary): the same error, naming why.
  (void)s.client("SELECT a FROM t");
  s.out = {};
  s.splitter->on_group_position(std::nullopt, "the group has no primary", s.out);
  err = wire::decode_err_payload(std::span(s.out.to_client).subspan(wire::kFrameHeaderSize), kCaps);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->error_code, 3781);
  EXPECT_NE(err->message.find("no primary"), std::string::npos);
  EXPECT_TRUE(s.splitter->accepting_client());
  // EVENTUAL: nothing waits.
  Session eventual = member_session(Consistency::kEventual);
  EXPECT_EQ(queries_in(eventual.client("SELECT 1").to_primary), std::vector<std::string>{"SELECT 1"});
  // Losing the member ends the session.
  SplitterOutput lost;
  eventual.server(Leg::kPrimary, value("1"));
  eventual.splitter->on_primary_lost("closed", lost);
  EXPECT_FALSE(lost.fatal.empty());
}

TEST(RwSplitter, ASessionInATransactionGets2013ThenGoesOn) {
  Session s(Consistency::kEventual, false);
  (void)s.client("BEGIN");
  (void)s.server(Leg::kPrimary, ok(kAutocommit | kInTrans));
  SplitterOutput lost;
  s.splitter->on_primary_lost("no longer the primary", lost);
  ASSERT_TRUE(lost.fatal.empty()) << lost.fatal;
  SplitterOutput ready;
  Bytes login_ok;
  wire::append_ok_payload(login_ok, wire::OkPacket{0, 0, kAutocommit, 0, "", {}}, kCaps);
  s.splitter->on_primary_ready(login_ok, ready);
  auto& next = s.client("INSERT INTO t VALUES (3)");
  EXPECT_TRUE(next.to_primary.empty());
  auto err = wire::decode_err_payload(std::span(next.to_client).subspan(wire::kFrameHeaderSize), kCaps);
  ASSERT_TRUE(err.has_value());
  EXPECT_EQ(err->error_code, 2013);
  EXPECT_EQ(queries_in(s.client("INSERT INTO t VALUES (3)").to_primary),
            std::vector<std::string>{"INSERT INTO t VALUES (3)"});  // then it goes on
}

TEST(RwSplitter, ASessionThatCannotMoveEnds) {
  {
    Session s(Consistency::kEventual, false);
    (void)s.client("CREATE TEMPORARY TABLE tmp (a INT)");
    (void)s.server(Leg::kPrimary, ok());
    SplitterOutput lost;
    s.splitter->on_primary_lost("closed", lost);
    EXPECT_NE(lost.fatal.find("temporary table"), std::string::npos) << lost.fatal;
  }
  {
    Session s(Consistency::kEventual, false);
    (void)s.client("INSERT INTO t VALUES (1)");  // in flight
    SplitterOutput lost;
    s.splitter->on_primary_lost("closed", lost);
    EXPECT_NE(lost.fatal.find("running the session's statement"), std::string::npos) << lost.fatal;
  }
}

}  // namespace
}  // namespace grouter::routing
