// The admin port's statements over a scripted GroupService: GR's tables and their derivations,
// the operations it calls (and with what), every refusal's MySQL code, and the session protocol
// (login, 1045, oversized packets) and result encoding byte for byte.
#include "router/admin/admin_executor.h"

#include <gtest/gtest.h>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/scramble.h"
#include "router/admin/admin_protocol.h"
#include "router/admin/result_encoding.h"

namespace grouter::admin {
namespace {

using metadata::GroupState;
using metadata::Member;
using metadata::MemberRole;
using metadata::MemberState;

constexpr const char* kId1 = "00000000-0000-0000-0000-000000000001";
constexpr const char* kId2 = "00000000-0000-0000-0000-000000000002";
constexpr const char* kId3 = "00000000-0000-0000-0000-000000000003";

Member member(const char* id, const char* name, std::uint16_t port, MemberRole role) {
  Member m;
  m.member_id = id;
  m.name = name;
  m.host = "127.0.0.1";
  m.port = port;
  m.state = MemberState::kOnline;
  m.role = role;
  m.version = *metadata::parse_version("10.11.6-MariaDB");
  m.in_view = true;
  return m;
}

class FakeGroup final : public metadata::GroupService {
 public:
  FakeGroup() {
    auto s = std::make_shared<GroupState>();
    s->group_name = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
    s->view_id = {1700000000000, 3};
    s->primary = kId1;
    s->members = {member(kId1, "n1", 3306, MemberRole::kPrimary),
                  member(kId2, "n2", 3307, MemberRole::kSecondary),
                  member(kId3, "n3", 3308, MemberRole::kSecondary)};
    state_ = s;
    auto progress = [](const char* id, const char* name, const char* executed, const char* received,
                       std::uint64_t behind, std::uint64_t queue) {
      metadata::MemberProgress p;
      p.member_id = id;
      p.name = name;
      p.probed = true;
      p.executed = *metadata::parse_gtid_position(executed);
      p.received = *metadata::parse_gtid_position(received);
      p.behind_primary = behind;
      p.applier_queue = queue;
      return p;
    };
    progress_ = {progress(kId1, "n1", "0-1-100", "", 0, 0),
                 progress(kId2, "n2", "0-1-90", "0-1-95", 10, 5),
                 progress(kId3, "n3", "0-1-100", "0-1-100", 0, 0)};
  }
  std::shared_ptr<const GroupState> state() const override { return state_; }
  metadata::MonitorStats monitor_stats() const override { return {}; }
  std::vector<metadata::MemberProgress> member_progress() const override { return progress_; }
  std::vector<metadata::GroupEvent> events_since(uint64_t) const override { return {}; }
  void set_as_primary(const std::string& id, metadata::SwitchoverDone done) override {
    switchovers.push_back(id);
    pending_switchover = std::move(done);
  }
  void force_members(const std::vector<std::string>& members, metadata::ForceDone done) override {
    forced.push_back(members);
    done(metadata::ForceResult{"1700000000000:4", "", ""});
  }
  void set_option(const std::string& option, const std::string& value, const std::string& member_id,
                  metadata::OpDone done) override {
    options.push_back(option + "=" + value + "@" + member_id);
    done(std::string("changed"));
  }
  void stop_member(const std::string& member_id, metadata::OpDone done) override {
    stopped.push_back(member_id);
    done(std::string("member left the group"));
  }
  void start_member(const std::string& member_id, metadata::OpDone done) override {
    started.push_back(member_id);
    done(std::unexpected(metadata::SwitchoverFailure{
        metadata::SwitchoverFailure::Kind::kInvalidRequest, "it is in the view already"}));
  }
  void bootstrap_group(const std::string& member_id, metadata::OpDone done) override {
    bootstrapped.push_back(member_id);
    done(std::string("bootstrapped"));
  }
  std::vector<std::pair<std::string, std::string>> variables(
      const std::string& member_id) const override {
    return {{"group_replication_member_weight", member_id == "n2" ? "70" : "50"},
            {"group_replication_single_primary_mode", "ON"},
            {"group_replication_consistency", "EVENTUAL"}};
  }

  std::vector<std::string> switchovers;
  metadata::SwitchoverDone pending_switchover;
  std::vector<std::string> options, stopped, started, bootstrapped;
  std::vector<std::vector<std::string>> forced;

 private:
  std::shared_ptr<const GroupState> state_;
  std::vector<metadata::MemberProgress> progress_;
};

AdminFacts facts() {
  AdminFacts f;
  f.server_version = "8.0.36-grouter-test";
  f.version_comment = "grouter admin port";
  f.max_allowed_packet = 1024;
  f.member_names = {"n1", "n2", "n3"};
  f.member_addresses = {"127.0.0.1:3306", "127.0.0.1:3307", "127.0.0.1:3308"};
  return f;
}

class AdminExecutorTest : public ::testing::Test {
 protected:
  // SQL's reply, which must come at once.
  Reply run(const std::string& sql) {
    std::optional<Reply> got;
    executor_.execute(sql, session_, [&](Reply r) { got = std::move(r); });
    EXPECT_TRUE(got.has_value()) << sql;
    return got.value_or(Reply{OkReply{}});
  }
  SqlError error(const std::string& sql) {
    Reply r = run(sql);
    EXPECT_TRUE(std::holds_alternative<SqlError>(r)) << sql;
    return std::holds_alternative<SqlError>(r) ? std::get<SqlError>(r) : SqlError{};
  }
  Table table(const std::string& sql) {
    Reply r = run(sql);
    if (auto* e = std::get_if<SqlError>(&r)) ADD_FAILURE() << sql << ": " << e->message;
    return std::holds_alternative<Table>(r) ? std::get<Table>(r) : Table{};
  }

  FakeGroup group_;
  AdminExecutor executor_{group_, facts()};
  AdminSession session_;
};

TEST_F(AdminExecutorTest, MembersTableHasGrsColumnsAndRows) {
  Table t = table("SELECT * FROM performance_schema.replication_group_members");
  ASSERT_EQ(t.columns.size(), 8u);
  EXPECT_EQ(t.columns[7].name, "MEMBER_COMMUNICATION_STACK");
  EXPECT_EQ(t.columns[3].type, mysql_wire::ColumnType::kLong);
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[1], (Row{std::string("group_replication_applier"), std::string(kId2),
                            std::string("127.0.0.1"), std::int64_t{3307}, std::string("ONLINE"),
                            std::string("SECONDARY"), std::string("10.11.6-MariaDB"),
                            std::string("grouter")}));
}

TEST_F(AdminExecutorTest, MemberStatsAreDerivedFromTheProbes) {
  Table t = table(
      "SELECT MEMBER_ID, COUNT_TRANSACTIONS_IN_QUEUE, COUNT_TRANSACTIONS_CHECKED, "
      "COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE, COUNT_TRANSACTIONS_REMOTE_APPLIED, "
      "COUNT_TRANSACTIONS_LOCAL_PROPOSED, TRANSACTIONS_COMMITTED_ALL_MEMBERS, "
      "LAST_CONFLICT_FREE_TRANSACTION, VIEW_ID FROM "
      "performance_schema.replication_group_member_stats");
  ASSERT_EQ(t.rows.size(), 3u);
  // n2: 10 behind the primary, 5 of them received and queued: 5 still to come.
  EXPECT_EQ(t.rows[1], (Row{std::string(kId2), std::int64_t{5}, std::int64_t{90}, std::int64_t{5},
                            std::int64_t{90}, std::int64_t{0}, std::string("0-1-90"),
                            std::string("0-1-100"), std::string("1700000000000:3")}));
  EXPECT_EQ(t.rows[0][5], Value{std::int64_t{100}});  // the primary proposed its 100
  EXPECT_EQ(t.rows[0][4], Value{std::int64_t{0}});
}

TEST_F(AdminExecutorTest, StatusAndVariables) {
  Table status = table("SHOW STATUS LIKE 'group_replication_primary_member'");
  ASSERT_EQ(status.rows.size(), 1u);
  EXPECT_EQ(status.rows[0][1], Value{std::string(kId1)});
  EXPECT_EQ(table("SHOW GLOBAL STATUS LIKE 'x%'").rows.size(), 0u);
  Table vars = table("SELECT @@group_replication_single_primary_mode, @@global.version_comment");
  EXPECT_EQ(vars.rows[0], (Row{std::int64_t{1}, std::string("grouter admin port")}));
  // The group's 3, and bootstrap_group, local_address, group_seeds, communication_stack.
  EXPECT_EQ(table("SHOW VARIABLES LIKE 'group_replication%'").rows.size(), 7u);
  EXPECT_EQ(table("SELECT @@group_replication_member_weight").rows[0][0], Value{std::int64_t{50}});
  EXPECT_TRUE(std::holds_alternative<OkReply>(run("USE n2")));
  EXPECT_EQ(table("SELECT @@group_replication_member_weight").rows[0][0], Value{std::int64_t{70}});
  EXPECT_EQ(table("SELECT DATABASE()").rows[0][0], Value{std::string("n2")});
  EXPECT_EQ(table("SELECT @@group_replication_local_address").rows[0][0],
            Value{std::string("127.0.0.1:3307")});
  EXPECT_TRUE(std::holds_alternative<OkReply>(run(std::string("USE `") + kId3 + "`")));
  EXPECT_EQ(table("SELECT DATABASE()").rows[0][0], Value{std::string("n3")});
}

TEST_F(AdminExecutorTest, SetAsPrimaryAnswersOnceTheGroupDecided) {
  std::optional<Reply> got;
  executor_.execute(std::string("SELECT group_replication_set_as_primary('") + kId2 + "')",
                    session_, [&](Reply r) { got = std::move(r); });
  ASSERT_EQ(group_.switchovers, std::vector<std::string>{kId2});
  EXPECT_FALSE(got.has_value());
  group_.pending_switchover({});
  ASSERT_TRUE(got.has_value());
  const Table& t = std::get<Table>(*got);
  EXPECT_EQ(t.rows[0][0], Value{std::string("Primary server switched to: ") + kId2});

  executor_.execute(std::string("SELECT group_replication_set_as_primary('") + kId3 + "')",
                    session_, [&](Reply r) { got = std::move(r); });
  group_.pending_switchover(std::unexpected(metadata::SwitchoverFailure{
      metadata::SwitchoverFailure::Kind::kUnavailable, "another change is in progress"}));
  EXPECT_EQ(std::get<SqlError>(*got).code, 3910);
  EXPECT_NE(std::get<SqlError>(*got).message.find("another change"), std::string::npos);
}

TEST_F(AdminExecutorTest, AnAnswerAfterTheSessionEndedIsDropped) {
  bool called = false;
  auto session = std::make_unique<AdminSession>();
  executor_.execute(std::string("SELECT group_replication_set_as_primary('") + kId2 + "')",
                    *session, [&](Reply) { called = true; });
  session.reset();
  group_.pending_switchover({});
  EXPECT_FALSE(called);
}

TEST_F(AdminExecutorTest, OperationsGoToTheGroupForTheChosenMember) {
  EXPECT_TRUE(
      std::holds_alternative<OkReply>(run("SET GLOBAL group_replication_consistency = 'after'")));
  EXPECT_TRUE(std::holds_alternative<OkReply>(run("USE n2")));
  Reply weight = run("SET GLOBAL group_replication_member_weight = 70");
  ASSERT_TRUE(std::holds_alternative<OkReply>(weight));
  EXPECT_EQ(std::get<OkReply>(weight).info, "changed");
  EXPECT_TRUE(std::holds_alternative<OkReply>(
      run("SET GLOBAL group_replication_member_expel_timeout = 10")));
  EXPECT_EQ(group_.options, (std::vector<std::string>{"consistency=AFTER@", "member_weight=70@n2",
                                                      "member_expel_timeout=10@"}));
  EXPECT_TRUE(std::holds_alternative<OkReply>(run("STOP GROUP_REPLICATION")));
  EXPECT_EQ(group_.stopped, std::vector<std::string>{"n2"});
  const SqlError running = error("START GROUP_REPLICATION");  // the fake says: in the view already
  EXPECT_EQ(running.code, 3093);
  EXPECT_NE(running.message.find("in the view already"), std::string::npos);
  EXPECT_EQ(group_.started, std::vector<std::string>{"n2"});
  EXPECT_TRUE(
      std::holds_alternative<OkReply>(run("SET GLOBAL group_replication_bootstrap_group=ON")));
  EXPECT_TRUE(std::holds_alternative<OkReply>(run("START GROUP_REPLICATION")));
  EXPECT_EQ(group_.bootstrapped, std::vector<std::string>{"n2"});
  EXPECT_EQ(group_.started.size(), 1u);
}

TEST_F(AdminExecutorTest, ForceMembersMapsAddressesToMemberIds) {
  EXPECT_TRUE(std::holds_alternative<OkReply>(
      run("SET GLOBAL group_replication_force_members = '127.0.0.1:3306, localhost:3308'")));
  ASSERT_EQ(group_.forced.size(), 1u);
  EXPECT_EQ(group_.forced[0], (std::vector<std::string>{kId1, kId3}));
  EXPECT_EQ(error("SET GLOBAL group_replication_force_members = '127.0.0.1:9'").code, 1231);
  EXPECT_EQ(error("SET GLOBAL group_replication_force_members = 'nocolon'").code, 1231);
  EXPECT_TRUE(
      std::holds_alternative<OkReply>(run("SET GLOBAL group_replication_force_members = ''")));
  EXPECT_EQ(group_.forced.size(), 1u);
}

TEST_F(AdminExecutorTest, RefusalsUseMySqlCodesAndCallNothing) {
  struct Case {
    const char* sql;
    std::uint16_t code;
  };
  const Case cases[] = {
      {"SELECT group_replication_set_as_primary('nope')", 1123},
      {"SELECT group_replication_set_as_primary(1)", 1123},
      {"SELECT group_replication_switch_to_multi_primary_mode()", 1123},
      {"SELECT group_replication_switch_to_multi_primary_mode(1)", 1123},
      {"SELECT group_replication_switch_to_single_primary_mode(1)", 1123},
      {"SELECT group_replication_get_write_concurrency()", 1305},
      {"SELECT 1 + group_replication_set_as_primary('x')", 1064},
      {"SELECT UPPER(group_replication_set_as_primary('x'))", 1305},
      {"SET GLOBAL group_replication_member_expel_timeout = 'x'", 1232},
      {"SET GLOBAL group_replication_member_expel_timeout = -1", 1231},
      {"SET GLOBAL group_replication_autorejoin_tries = 2017", 1231},
      {"SET GLOBAL group_replication_consistency = 'NEVER'", 1231},
      {"SET GLOBAL group_replication_consistency = 9", 1231},
      {"SET GLOBAL group_replication_exit_state_action = NULL", 1231},
      {"SET GLOBAL group_replication_exit_state_action = @@x", 1064},
      {"SET GLOBAL group_replication_bootstrap_group = 2", 1231},
      {"SET GLOBAL group_replication_group_name = 'x'", 1238},
      {"SET GLOBAL group_replication_ip_whitelist = 'x'", 1193},
      {"SET GLOBAL wait_timeout = 1", 1193},
      {"SET nonsense = 1", 1193},
      {"SET group_replication_member_weight = 1", 1229},
      {"SET GLOBAL group_replication_force_members = 1", 1232},
      {"SET GLOBAL group_replication_force_members = '127.0.0.1:3306', "
       "group_replication_member_expel_timeout = 1",
       1064},
      {"SET GLOBAL group_replication_member_weight = 10", 1046},
      {"START GROUP_REPLICATION", 1046},
      {"USE nobody", 1049},
      {"SELECT * FROM performance_schema.nothing", 1146},
      {"SELECT * FROM mysql.user", 1146},
      {"SHOW TABLES", 1046},
      {"SHOW TABLES FROM nowhere", 1049},
      {"SELECT DATABASE(1)", 1582},
  };
  for (const Case& c : cases) EXPECT_EQ(error(c.sql).code, c.code) << c.sql;
  EXPECT_TRUE(group_.switchovers.empty());
  EXPECT_TRUE(group_.forced.empty());
  EXPECT_TRUE(group_.options.empty());
  EXPECT_TRUE(group_.stopped.empty() && group_.started.empty() && group_.bootstrapped.empty());
}

TEST_F(AdminExecutorTest, ShowWarningsShowsThePreviousError) {
  const SqlError e = error("SELECT @@nope");
  Table w = table("SHOW WARNINGS");
  ASSERT_EQ(w.rows.size(), 1u);
  EXPECT_EQ(w.rows[0], (Row{std::string("Error"), std::int64_t{1193}, e.message}));
  EXPECT_EQ(table("SHOW ERRORS").rows.size(), 1u);
  table("SELECT 1");
  EXPECT_EQ(table("SHOW WARNINGS").rows.size(), 0u);
}

TEST_F(AdminExecutorTest, SessionChatterIsAccepted) {
  for (const char* sql :
       {"SET NAMES utf8mb4", "SET autocommit=0", "SET SQL_LOG_BIN=0", "SET @@session.sql_mode = ''",
        "SET character set utf8", "SET GLOBAL group_replication_bootstrap_group=OFF"}) {
    EXPECT_TRUE(std::holds_alternative<OkReply>(run(sql))) << sql;
  }
  EXPECT_EQ(table("SELECT @@version_comment LIMIT 1").rows[0][0],
            Value{std::string("grouter admin port")});
  EXPECT_EQ(table("SHOW DATABASES").rows.size(), 4u);
  EXPECT_EQ(table("SHOW DATABASES LIKE 'test'").rows.size(), 0u);
  EXPECT_EQ(table("SHOW TABLES FROM performance_schema").rows.size(), 4u);
  EXPECT_EQ(table("SELECT DATABASE()").rows[0][0], Value{});
  EXPECT_GE(table("HELP").rows.size(), 10u);
}

// --- result encoding, byte for byte ---------------------------------------------------------

TEST(AdminResultEncoding, OneColumnOneRowIsWhatMySqlSends) {
  Table t{"performance_schema", "t", {int_column("P")}, {{std::int64_t{7}}, {Value{}}}};
  const auto payloads = encode_table(t, 2, mysql_wire::capability::kProtocol41);
  const std::vector<std::vector<std::uint8_t>> expected = {
      {0x01},
      {0x03, 'd',  'e',  'f',  0x12, 'p',  'e',  'r',  'f',  'o',  'r',  'm',  'a',  'n', 'c',
       'e',  '_',  's',  'c',  'h',  'e',  'm',  'a',  0x01, 't',  0x01, 't',  0x01, 'P', 0x01,
       'P',  0x0c, 0x3f, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x03, 0x80, 0x00, 0x00, 0x00, 0x00},
      {0xfe, 0x00, 0x00, 0x02, 0x00},
      {0x01, '7'},
      {0xfb},
      {0xfe, 0x00, 0x00, 0x02, 0x00},
  };
  EXPECT_EQ(payloads, expected);
}

// --- the session protocol -------------------------------------------------------------------

class Collect final : public AdminSink {
 public:
  void send(std::vector<std::uint8_t> bytes) override {
    out.insert(out.end(), bytes.begin(), bytes.end());
  }
  void end(const std::string& r) override { reason = r; }
  bool has_room() const override { return room; }

  // The payloads sent so far (and forgets them).
  std::vector<std::vector<std::uint8_t>> take() {
    std::vector<std::vector<std::uint8_t>> payloads;
    std::span<const std::uint8_t> rest(out);
    while (auto frame = mysql_wire::decode_frame(rest)) {
      payloads.emplace_back(frame->payload.begin(), frame->payload.end());
      rest = rest.subspan(frame->size());
    }
    out.clear();
    return payloads;
  }

  std::vector<std::uint8_t> out;
  std::string reason;
  bool room = true;
};

class AdminProtocolTest : public ::testing::Test {
 protected:
  AdminProtocolTest() : account_{"admin", *mysql_wire::native_password_hash("secret")} {}

  std::vector<std::uint8_t> framed(std::uint8_t sequence,
                                   const std::vector<std::uint8_t>& payload) {
    std::vector<std::uint8_t> out;
    mysql_wire::append_frames(out, sequence, payload);
    return out;
  }
  // Logs in as USER with PASSWORD; the first payload of the answer.
  std::vector<std::uint8_t> login(const std::string& user, const std::string& password) {
    protocol_.start();
    sink_.take();
    mysql_wire::HandshakeResponse response;
    response.capabilities = admin_capabilities();
    response.max_packet_size = 1 << 24;
    response.charset = 45;
    response.user = user;
    response.auth_response = *mysql_wire::scramble_native_password(password, nonce_);
    response.auth_plugin_name = "mysql_native_password";
    std::vector<std::uint8_t> payload;
    mysql_wire::append_handshake_response(payload, response);
    protocol_.on_bytes(framed(1, payload));
    return sink_.take().at(0);
  }
  std::vector<std::vector<std::uint8_t>> query(const std::string& sql) {
    std::vector<std::uint8_t> payload{0x03};
    payload.insert(payload.end(), sql.begin(), sql.end());
    protocol_.on_bytes(framed(0, payload));
    return sink_.take();
  }

  FakeGroup group_;
  AdminExecutor executor_{group_, facts()};
  AdminAccount account_;
  Collect sink_;
  std::vector<std::uint8_t> nonce_ = std::vector<std::uint8_t>(20, 'n');
  AdminProtocol protocol_{executor_, account_, sink_, 7, nonce_, "127.0.0.1", 1024};
};

TEST_F(AdminProtocolTest, RightPasswordLogsInAndQueriesAnswer) {
  EXPECT_EQ(login("admin", "secret")[0], 0x00);
  EXPECT_TRUE(protocol_.authenticated());
  auto reply = query("SELECT @@version_comment LIMIT 1");
  ASSERT_EQ(reply.size(), 5u);  // count, definition, EOF, row, EOF
  EXPECT_EQ(reply[3], (std::vector<std::uint8_t>{18, 'g', 'r', 'o', 'u', 't', 'e', 'r', ' ', 'a',
                                                 'd', 'm', 'i', 'n', ' ', 'p', 'o', 'r', 't'}));
  protocol_.on_bytes(framed(0, {0x0e}));  // COM_PING
  EXPECT_EQ(sink_.take().at(0)[0], 0x00);
  protocol_.on_bytes(framed(0, {0x16, 'x'}));  // COM_STMT_PREPARE: not here
  auto err = sink_.take().at(0);
  EXPECT_EQ(err[0], 0xff);
  EXPECT_EQ(err[1] | (err[2] << 8), 1047);
  EXPECT_FALSE(protocol_.ended());
}

TEST_F(AdminProtocolTest, AnOkCarriesTheGroupsMessageLengthEncodedAsMariaDbDoes) {
  login("admin", "secret");
  auto reply = query("SET GLOBAL group_replication_member_expel_timeout = 10");
  ASSERT_EQ(reply.size(), 1u);
  EXPECT_EQ(reply[0], (std::vector<std::uint8_t>{0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07,
                                                 'c', 'h', 'a', 'n', 'g', 'e', 'd'}));
}

TEST_F(AdminProtocolTest, WrongPasswordOrUserGets1045AndEnds) {
  auto err = login("admin", "wrong");
  EXPECT_EQ(err[0], 0xff);
  EXPECT_EQ(err[1] | (err[2] << 8), 1045);
  const std::string message(err.begin() + 9, err.end());
  EXPECT_EQ(message, "Access denied for user 'admin'@'127.0.0.1' (using password: YES)");
  EXPECT_TRUE(protocol_.ended());
}

TEST_F(AdminProtocolTest, UnknownUserGets1045) {
  auto err = login("root", "secret");
  EXPECT_EQ(err[1] | (err[2] << 8), 1045);
}

TEST_F(AdminProtocolTest, OversizedPacketGets1153AndEndsTheSession) {
  login("admin", "secret");
  protocol_.on_bytes(std::vector<std::uint8_t>{0x01, 0x10, 0x00, 0x00, 0x03});  // 4097 bytes
  auto err = sink_.take().at(0);
  EXPECT_EQ(err[1] | (err[2] << 8), 1153);
  EXPECT_TRUE(protocol_.ended());
  EXPECT_FALSE(sink_.reason.empty());
}

TEST_F(AdminProtocolTest, CommandsWaitWhileTheOutputIsFull) {
  login("admin", "secret");
  sink_.room = false;
  EXPECT_FALSE(protocol_.wants_input());
  EXPECT_TRUE(query("SELECT 1").empty());
  sink_.room = true;
  protocol_.resume();
  EXPECT_EQ(sink_.take().size(), 5u);
}

TEST_F(AdminProtocolTest, ABrokenHandshakeEndsWith1043) {
  protocol_.start();
  sink_.take();
  protocol_.on_bytes(framed(1, {0x01, 0x02}));
  auto err = sink_.take().at(0);
  EXPECT_EQ(err[1] | (err[2] << 8), 1043);
  EXPECT_TRUE(protocol_.ended());
}

}  // namespace
}  // namespace grouter::admin
