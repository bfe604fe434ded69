// Member states, roles, versions and member ids.
#include "metadata/member.h"

#include <set>

#include <gtest/gtest.h>

#include "metadata/member_id.h"
#include "metadata/random.h"

namespace grouter::metadata {
namespace {

TEST(MemberState, SpelledAsGr) {
  const std::pair<MemberState, std::string_view> cases[] = {
      {MemberState::kOnline, "ONLINE"},           {MemberState::kRecovering, "RECOVERING"},
      {MemberState::kOffline, "OFFLINE"},         {MemberState::kError, "ERROR"},
      {MemberState::kUnreachable, "UNREACHABLE"},
  };
  for (const auto& [state, text] : cases) {
    EXPECT_EQ(to_string(state), text);
    EXPECT_EQ(parse_member_state(text), state);
  }
  EXPECT_EQ(parse_member_state("online"), std::nullopt);
  EXPECT_EQ(parse_member_state(""), std::nullopt);
}

TEST(MemberRole, SpelledAsGr) {
  EXPECT_EQ(to_string(MemberRole::kPrimary), "PRIMARY");
  EXPECT_EQ(to_string(MemberRole::kSecondary), "SECONDARY");
  EXPECT_EQ(to_string(MemberRole::kNone), "");
  EXPECT_EQ(parse_member_role("SECONDARY"), MemberRole::kSecondary);
  EXPECT_EQ(parse_member_role(""), MemberRole::kNone);
  EXPECT_EQ(parse_member_role("LEADER"), std::nullopt);
}

struct VersionCase {
  std::string_view text;
  bool parses;
  uint32_t major, minor, patch;
};

TEST(Version, Parses) {
  const VersionCase cases[] = {
      {"10.11.19", true, 10, 11, 19},
      {"10.11.6-MariaDB-0+deb12u1-log", true, 10, 11, 6},
      {"5.5.5-10.6.21-MariaDB", true, 10, 6, 21},
      {"8.0.36", true, 8, 0, 36},
      {"8.0", false, 0, 0, 0},
      {"8.0.x", false, 0, 0, 0},
      {"8.0.36x", false, 0, 0, 0},
      {"-1.0.0", false, 0, 0, 0},
      {"MariaDB", false, 0, 0, 0},
      {"99999999999.0.0", false, 0, 0, 0},
  };
  for (const auto& c : cases) {
    const auto v = parse_version(c.text);
    ASSERT_EQ(v.has_value(), c.parses) << c.text;
    if (!v) continue;
    EXPECT_TRUE(v->known);
    EXPECT_EQ(v->text, c.text);
    EXPECT_EQ(v->major, c.major) << c.text;
    EXPECT_EQ(v->minor, c.minor) << c.text;
    EXPECT_EQ(v->patch, c.patch) << c.text;
  }
  const auto unknown = parse_version("");
  ASSERT_TRUE(unknown.has_value());
  EXPECT_FALSE(unknown->known);
}

TEST(Version, OrdersByNumbersWithUnknownLast) {
  const auto v = [](std::string_view text) { return *parse_version(text); };
  EXPECT_TRUE(compare_versions(v("10.6.21"), v("10.11.2")) < 0);  // numeric, not text order
  EXPECT_TRUE(compare_versions(v("10.11.9"), v("10.11.19")) < 0);
  EXPECT_TRUE(compare_versions(v("10.11.19-log"), v("10.11.19")) == 0);
  EXPECT_TRUE(compare_versions(v("11.0.0"), v("10.99.99")) > 0);
  EXPECT_TRUE(compare_versions(v(""), v("99.0.0")) > 0);
  EXPECT_TRUE(compare_versions(v(""), v("")) == 0);
}

TEST(MemberId, RecognizesUuids) {
  EXPECT_TRUE(is_uuid("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"));
  EXPECT_TRUE(is_uuid("3E11FA47-71CA-11E1-9E33-C80AA9429562"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaa"));    // short
  EXPECT_FALSE(is_uuid("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaaa"));  // long
  EXPECT_FALSE(is_uuid("aaaaaaaaaaaaa-aaaa-aaaa-aaaaaaaaaaaa"));   // dash moved
  EXPECT_FALSE(is_uuid("gaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"));
}

TEST(MemberId, MakesDistinctV4Uuids) {
  SeededRandom random(42);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string member_id = make_member_id(random);
    ASSERT_TRUE(is_uuid(member_id)) << member_id;
    EXPECT_EQ(member_id[14], '4') << member_id;
    EXPECT_NE(std::string_view("89ab").find(member_id[19]), std::string_view::npos) << member_id;
    EXPECT_TRUE(seen.insert(member_id).second);
  }
}

TEST(MemberId, SameSeedSameIds) {
  SeededRandom a(7);
  SeededRandom b(7);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(make_member_id(a), make_member_id(b));
}

}  // namespace
}  // namespace grouter::metadata
