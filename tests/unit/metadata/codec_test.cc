// JSON encodings of entries and state snapshots: round trips, one golden line, corrupt inputs.
#include <gtest/gtest.h>

#include "metadata/entry_codec.h"
#include "metadata/state_codec.h"
#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::bootstrap_entry;
using testing::id;
using testing::must_apply_all;
using testing::node;
using testing::online_group;

std::vector<Entry> sample_entries() {
  Bootstrap b = bootstrap_entry(3);
  b.nodes.push_back(node(4, 0, false));
  b.single_primary_mode = false;
  return {
      b,
      Bootstrap{testing::kGroupName, true, 0, {}},
      MemberAdded{node(5, 100)},
      MemberJoined{id(1)},
      MemberOnline{id(1)},
      MemberSuspected{id(2)},
      MemberReachable{id(2)},
      MemberExpelled{id(2), "unreachable for 5000 ms"},
      MemberLeft{id(3), ""},
      MemberError{id(3), "errant transactions: 0-3-17 \"quoted\" \xc3\xa9"},
      PrimaryElected{id(1), "lowest version"},
      PrimaryElected{std::nullopt, "no ONLINE member"},
      MemberVersionObserved{id(1), "5.5.5-10.11.19-MariaDB"},
      MemberWeightChanged{id(1), 0},
      TermBegun{7},
      FailoverStarted{7, id(1)},
      FailoverWaiting{7, "waiting for n2", id(2)},
      FailoverDecided{8, id(2), "0-1-12", "n3: up to 0-1-14"},
      MembersForced{id(2) + "," + id(3)},
      MemberError{id(3), "errant transaction: 0-3-18", true, false},
      MemberError{id(3), "distributed recovery failed", false, true},
      RecoveryStarted{id(3), id(2), "0-1-40", 1764990000000},
      RecoveryFailed{id(3), "error 1236 receiving from the donor", true},
      RecoveryPaused{id(3), 1764990060000},
      OwnWritesRecorded{id(3), "0-3-17,1-3-2"},
      OptionChanged{"member_expel_timeout", "7"},
      MemberStopped{id(2), "stopped by the operator (STOP GROUP_REPLICATION)"},
      MemberStarted{id(2)},
  };
}

TEST(EntryCodec, RoundTripsEveryType) {
  const auto entries = sample_entries();
  std::set<size_t> types;
  for (const Entry& e : entries) {
    const std::string text = encode(e);
    const auto decoded = decode_entry(text);
    ASSERT_TRUE(decoded.has_value()) << text << ": " << decoded.error();
    EXPECT_EQ(*decoded, e) << text;
    types.insert(e.index());
  }
  EXPECT_EQ(types.size(), std::variant_size_v<Entry>);
}

TEST(EntryCodec, Golden) {
  EXPECT_EQ(encode(MemberJoined{id(1)}),
            R"({"format":1,"member_id":"00000000-0000-4000-8000-000000000001",)"
            R"("type":"member_joined"})");
  EXPECT_EQ(encode(PrimaryElected{std::nullopt, "none"}),
            R"({"format":1,"member_id":null,"provisional":false,"reason":"none",)"
            R"("type":"primary_elected"})");
  // Written before "provisional" existed: still decodes.
  auto older =
      decode_entry(R"({"format":1,"member_id":null,"reason":"none","type":"primary_elected"})");
  ASSERT_TRUE(older.has_value()) << older.error();
  EXPECT_EQ(*older, Entry(PrimaryElected{std::nullopt, "none"}));
}

TEST(EntryCodec, InvalidUtf8IsReplacedNotThrown) {
  const std::string text = encode(MemberError{id(1), "bad \xff byte"});
  const auto decoded = decode_entry(text);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(std::get<MemberError>(*decoded).reason, "bad \xef\xbf\xbd byte");
}

struct Corrupt {
  std::string text;
  std::string error;
};

TEST(EntryCodec, CorruptInputsNameTheProblem) {
  const Corrupt cases[] = {
      {"", "entry: not valid JSON"},
      {R"({"format":1,"type":"member_joined")", "entry: not valid JSON"},
      {"[1,2]", "entry: not a JSON object"},
      {"{}", "entry: missing format version"},
      {R"({"format":"1"})", "entry: missing format version"},
      {R"({"format":2,"type":"member_joined"})", "entry: unsupported format version 2"},
      {R"({"format":1})", "entry: missing type"},
      {R"({"format":1,"type":7})", "entry: missing type"},
      {R"({"format":1,"type":"member_exploded"})", "unknown entry type \"member_exploded\""},
      {R"({"format":1,"type":"member_joined"})", "member_joined: field \"member_id\" is missing"},
      {R"({"format":1,"type":"member_joined","member_id":5})",
       "member_joined: field \"member_id\" is not a string"},
      {R"({"format":1,"type":"member_left","member_id":"x"})",
       "member_left: field \"reason\" is missing"},
      {R"({"format":1,"type":"option_changed","option":"consistency"})",
       "option_changed: field \"value\" is missing"},
      {R"({"format":1,"type":"option_changed","option":"consistency","value":7})",
       "option_changed: field \"value\" is not a string"},
      {R"({"format":1,"type":"member_stopped","member_id":"x"})",
       "member_stopped: field \"reason\" is missing"},
      {R"({"format":1,"type":"member_started"})", "member_started: field \"member_id\" is missing"},
      {R"({"format":1,"type":"member_weight_changed","member_id":"x","weight":-1})",
       "member_weight_changed: field \"weight\" is not an unsigned integer"},
      {R"({"format":1,"type":"member_weight_changed","member_id":"x","weight":5000000000})",
       "member_weight_changed: field \"weight\" is above 4294967295"},
      {R"({"format":1,"type":"primary_elected","member_id":1,"reason":""})",
       "primary_elected: field \"member_id\" is not a string"},
      {R"({"format":1,"type":"bootstrap","group_name":"g","single_primary_mode":1,)"
       R"("view_fixed":1,"nodes":[]})",
       "bootstrap: field \"single_primary_mode\" is not a boolean"},
      {R"({"format":1,"type":"bootstrap","group_name":"g","single_primary_mode":true,)"
       R"("view_fixed":1,"nodes":{}})",
       "bootstrap: field \"nodes\" is not an array"},
      {R"({"format":1,"type":"bootstrap","group_name":"g","single_primary_mode":true,)"
       R"("view_fixed":1,"nodes":["n1"]})",
       "bootstrap.nodes[0]: not an object"},
      {R"({"format":1,"type":"bootstrap","group_name":"g","single_primary_mode":true,)"
       R"("view_fixed":1,"nodes":[{"name":"n1","host":"h","port":70000,"weight":1,)"
       R"("member_id":""}]})",
       "bootstrap.nodes[0]: field \"port\" is above 65535"},
  };
  for (const Corrupt& c : cases) {
    const auto decoded = decode_entry(c.text);
    ASSERT_FALSE(decoded.has_value()) << c.text;
    EXPECT_EQ(decoded.error(), c.error) << c.text;
  }
}

TEST(EntryCodec, EveryProperPrefixIsAnError) {
  for (const Entry& e : sample_entries()) {
    const std::string text = encode(e);
    for (size_t n = 0; n < text.size(); ++n) {
      EXPECT_FALSE(decode_entry(std::string_view(text).substr(0, n)).has_value()) << n;
    }
  }
}

GroupState varied_state() {
  return must_apply_all(
      online_group(4),
      {MemberVersionObserved{id(1), "10.11.19-MariaDB"}, MemberWeightChanged{id(2), 90},
       MemberSuspected{id(1)}, MemberError{id(3), "recovery failed: \"no donor\""},
       MemberAdded{node(7)}, MemberJoined{id(7)}, MemberSuspected{id(7)}});
}

// Recovery under way, a failed rejoin counted, an errant member and own-write baselines.
GroupState recovering_state() {
  return must_apply_all(
      online_group(4),
      {OwnWritesRecorded{id(2), "0-2-5"}, MemberError{id(3), "errant transaction: 0-3-9", true},
       MemberExpelled{id(4), "gone"}, MemberError{id(4), "recovery failed", false, true},
       MemberJoined{id(4)}, RecoveryStarted{id(4), id(2), "0-1-40", 1764990000000},
       RecoveryFailed{id(4), "error 1236: no binlog", true}});
}

// The operator's changes: options decided, a weight set, a member stopped.
GroupState operated_state() {
  return must_apply_all(online_group(3),
                        {OptionChanged{"member_expel_timeout", "7"},
                         OptionChanged{"consistency", "AFTER"}, MemberWeightChanged{id(2), 80},
                         MemberStopped{id(3), "stopped by the operator"}});
}

// A failover waiting under a term, after the primary left.
GroupState failing_over_state() {
  return must_apply_all(online_group(3),
                        {TermBegun{3}, MemberExpelled{id(1), "gone"}, FailoverStarted{3, id(1)},
                         FailoverWaiting{3, "waiting for n2", id(2)}});
}

TEST(StateCodec, RoundTrips) {
  const GroupState states[] = {GroupState{},   online_group(1),       online_group(9),
                               varied_state(), failing_over_state(), recovering_state(),
                               operated_state()};
  for (const GroupState& s : states) {
    const std::string text = encode(s);
    const auto decoded = decode_state(text);
    ASSERT_TRUE(decoded.has_value()) << text << ": " << decoded.error();
    EXPECT_EQ(*decoded, s) << text;
  }
}

TEST(StateCodec, ASnapshotWrittenBeforeTermsAndFailoversDecodes) {
  std::string text = encode(online_group(3));
  for (const std::string field :
       {R"(,"term":0)", R"(,"last_primary":null)", R"("failover":false,)"}) {
    const size_t at = text.find(field);
    ASSERT_NE(at, std::string::npos) << field << " in " << text;
    text.erase(at, field.size());
  }
  const auto decoded = decode_state(text);
  ASSERT_TRUE(decoded.has_value()) << decoded.error();
  EXPECT_EQ(*decoded, online_group(3));
}

// The encoding of STATE with `from` replaced by `to` (first occurrence).
std::string edited(const std::string& from, const std::string& to,
                   const GroupState& state = varied_state()) {
  std::string text = encode(state);
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

TEST(StateCodec, CorruptInputsNameTheProblem) {
  const Corrupt cases[] = {
      {"nul", "group state: not valid JSON"},
      {R"({"format":9})", "group state: unsupported format version 9"},
      {edited(R"("view_id":")", R"("view_id":"x)"),
       "group state: field \"view_id\" is not a view id: \"x1700000000000:6\""},
      {edited(R"("state":"ONLINE")", R"("state":"ON")"),
       "group state.members[1]: field \"state\" is not a member state: \"ON\""},
      {edited(R"("role":"SECONDARY")", R"("role":"BOSS")"),
       "group state.members[1]: field \"role\" is not a member role: \"BOSS\""},
      {edited(R"("version":"10.11.19-MariaDB")", R"("version":"ten")"),
       "group state.members[0]: field \"version\" is not a version: \"ten\""},
      {edited(R"("members":[)", R"("members":[3,)"), "group state.members[0]: not an object"},
      {edited(R"("role":"SECONDARY")", R"("role":"PRIMARY")"),
       "group state: member n2 has role PRIMARY"},
      {edited(R"("in_view":true)", R"("in_view":false)"),
       "group state: member n1 is UNREACHABLE outside the view"},
      {edited(R"("name":"n2")", R"("name":"n1")"), "group state: name n1 used twice"},
  };
  for (const Corrupt& c : cases) {
    const auto decoded = decode_state(c.text);
    ASSERT_FALSE(decoded.has_value()) << c.text;
    EXPECT_EQ(decoded.error(), c.error) << c.text;
  }
}

TEST(StateCodec, CorruptOptionsAndStoppedMembersNameTheProblem) {
  const Corrupt cases[] = {
      {edited(R"("value":"7")", R"("value":"7000")", operated_state()),
       "group state: option member_expel_timeout = '7000' is invalid"},
      {edited(R"("value":"AFTER")", R"("value":"after")", operated_state()),
       "group state: option consistency = 'after' is invalid"},
      {edited(R"("name":"consistency")", R"("name":"group_name")", operated_state()),
       "group state: option group_name = 'AFTER' is invalid"},
      {edited(R"("options":[)", R"("options":[1,)", operated_state()), "group state.options[0]: not an object"},
      {edited(R"("stopped":false)", R"("stopped":1)", operated_state()),
       "group state.members[0]: field \"stopped\" is not a boolean"},
      {edited(R"("stopped":false)", R"("stopped":true)", operated_state()),
       "group state: member n1 is stopped but ONLINE"},
  };
  for (const Corrupt& c : cases) {
    const auto decoded = decode_state(c.text);
    ASSERT_FALSE(decoded.has_value()) << c.text;
    EXPECT_EQ(decoded.error(), c.error) << c.text;
  }
}

TEST(StateCodec, PrimaryMustBeInTheView) {
  GroupState s = online_group(3);
  s.members[0].in_view = false;
  s.members[0].state = MemberState::kOffline;
  s.members[0].role = MemberRole::kNone;
  const auto decoded = decode_state(encode(s));
  ASSERT_FALSE(decoded.has_value());
  EXPECT_EQ(decoded.error(),
            "group state: primary " + id(1) + " is not an ONLINE member of the view");
}

TEST(StateCodec, EveryProperPrefixIsAnError) {
  const std::string text = encode(varied_state());
  for (size_t n = 0; n < text.size(); ++n) {
    EXPECT_FALSE(decode_state(std::string_view(text).substr(0, n)).has_value()) << n;
  }
}

}  // namespace
}  // namespace grouter::metadata
