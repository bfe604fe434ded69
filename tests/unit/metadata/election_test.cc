// GR's election rule and the donor choice of distributed recovery.
#include "metadata/election.h"

#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::id;
using testing::kGroupName;
using testing::kViewFixed;
using testing::must_apply;
using testing::node;

struct Spec {
  int n;                // node number: member_id id(n)
  std::string version;  // "" = never observed
  uint32_t weight;
  MemberState state;  // ONLINE, RECOVERING, UNREACHABLE (after ONLINE), OFFLINE or ERROR
};

// A group configured in the order of `specs`, each member brought to its state.
GroupState group_of(const std::vector<Spec>& specs) {
  Bootstrap b{kGroupName, true, kViewFixed, {}};
  for (const Spec& s : specs) b.nodes.push_back(node(s.n, s.weight));
  GroupState state = must_apply(GroupState{}, b);
  for (const Spec& s : specs) {
    if (!s.version.empty()) state = must_apply(state, MemberVersionObserved{id(s.n), s.version});
    if (s.state == MemberState::kOffline) continue;
    if (s.state == MemberState::kError) {
      state = must_apply(state, MemberError{id(s.n), "test"});
      continue;
    }
    state = must_apply(state, MemberJoined{id(s.n)});
    if (s.state == MemberState::kRecovering) continue;
    state = must_apply(state, MemberOnline{id(s.n)});
    if (s.state == MemberState::kUnreachable) state = must_apply(state, MemberSuspected{id(s.n)});
  }
  return state;
}

constexpr MemberState kOn = MemberState::kOnline;

struct ElectionCase {
  const char* name;
  std::vector<Spec> specs;
  int expected;  // node number, 0 = none
};

TEST(Election, GrRule) {
  const ElectionCase cases[] = {
      {"all equal: lowest id", {{1, "", 50, kOn}, {2, "", 50, kOn}, {3, "", 50, kOn}}, 1},
      {"highest weight, not the next in the list",
       {{1, "10.11.19", 50, kOn}, {2, "10.11.19", 60, kOn}, {3, "10.11.19", 70, kOn}},
       3},
      {"heaviest is recovering",
       {{1, "10.11.19", 50, kOn},
        {2, "10.11.19", 90, MemberState::kRecovering},
        {3, "10.11.19", 70, kOn}},
       3},
      {"lowest version first, numerically",
       {{1, "10.11.19", 50, kOn}, {2, "10.6.21", 50, kOn}, {3, "10.11.2", 50, kOn}},
       2},
      {"version beats weight", {{1, "10.11.19", 100, kOn}, {2, "10.11.9", 0, kOn}}, 2},
      {"patch level counts", {{1, "10.11.19", 50, kOn}, {2, "10.11.18", 50, kOn}}, 2},
      {"tie on version and weight: lowest id",
       {{3, "10.11.19", 80, kOn}, {2, "10.11.19", 80, kOn}, {1, "10.11.19", 10, kOn}},
       2},
      {"ids decide, not configuration order",
       {{3, "10.11.19", 50, kOn}, {1, "10.11.19", 50, kOn}, {2, "10.11.19", 50, kOn}},
       1},
      {"unknown version ranks last", {{1, "", 100, kOn}, {2, "10.11.19", 0, kOn}}, 2},
      {"unreachable is not eligible",
       {{1, "10.11.19", 90, MemberState::kUnreachable}, {2, "10.11.19", 50, kOn}},
       2},
      {"offline and error are not eligible",
       {{1, "10.6.1", 90, MemberState::kOffline},
        {2, "10.6.1", 90, MemberState::kError},
        {3, "10.11.19", 10, kOn}},
       3},
      {"no online member",
       {{1, "10.11.19", 50, MemberState::kRecovering}, {2, "", 50, MemberState::kOffline}},
       0},
  };
  for (const ElectionCase& c : cases) {
    const auto elected = elect_primary(group_of(c.specs));
    if (c.expected == 0) {
      EXPECT_EQ(elected, std::nullopt) << c.name;
    } else {
      EXPECT_EQ(elected, id(c.expected)) << c.name;
    }
  }
}

std::map<std::string, int> donor_counts(const GroupState& state, int joiner,
                                        std::vector<std::string> tried = {}) {
  SeededRandom random(1234);
  std::map<std::string, int> counts;
  for (int i = 0; i < 1000; ++i) {
    const auto donor = choose_donor(state, id(joiner), random, tried);
    ++counts[donor.value_or("none")];
  }
  return counts;
}

// n4 joins at 10.11.19: n1 (same) and n3 (older) may give; n2 is newer, n5 is recovering.
GroupState donor_group(const std::string& joiner_version) {
  return group_of({{1, "10.11.19", 50, kOn},
                   {2, "10.11.20", 50, kOn},
                   {3, "10.6.1", 50, kOn},
                   {4, joiner_version, 50, MemberState::kRecovering},
                   {5, "10.11.19", 50, MemberState::kRecovering},
                   {6, "", 50, kOn}});
}

TEST(Donor, OnlineAndNotNewerThanJoiner) {
  const auto counts = donor_counts(donor_group("10.11.19"), 4);
  ASSERT_EQ(counts.size(), 2u);
  EXPECT_GT(counts.at(id(1)), 400);
  EXPECT_GT(counts.at(id(3)), 400);
}

TEST(Donor, TriedDonorsAreSkipped) {
  EXPECT_EQ(donor_counts(donor_group("10.11.19"), 4, {id(1)}),
            (std::map<std::string, int>{{id(3), 1000}}));
  EXPECT_EQ(donor_counts(donor_group("10.11.19"), 4, {id(1), id(3)}),
            (std::map<std::string, int>{{"none", 1000}}));
}

TEST(Donor, JoinerWithUnknownVersionTakesAnyOnline) {
  const auto counts = donor_counts(donor_group(""), 4);
  EXPECT_EQ(counts.size(), 4u);  // n1, n2, n3, n6
  EXPECT_FALSE(counts.contains("none"));
}

TEST(Donor, UnknownJoinerHasNone) {
  SeededRandom random(1);
  EXPECT_EQ(choose_donor(donor_group("10.11.19"), id(9), random), std::nullopt);
}

TEST(Donor, SameSeedSameDonors) {
  const GroupState state = donor_group("");
  SeededRandom a(99);
  SeededRandom b(99);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(choose_donor(state, id(4), a), choose_donor(state, id(4), b));
}

}  // namespace
}  // namespace grouter::metadata
