// Thousands of random entries, valid and invalid, from a seed: after each, GROUP-SEMANTICS'
// invariants hold, the view id follows its rule, and replaying the same entries (also through the
// log encoding) gives the same state and the same elected primary.
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "metadata/apply.h"
#include "metadata/election.h"
#include "metadata/entry_codec.h"
#include "metadata/member_id.h"
#include "metadata/random.h"
#include "metadata/state_codec.h"
#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::id;

constexpr int kNodeCount = 11;  // more than fit in a group: MemberAdded of the rest must fail
constexpr int kEntriesPerRun = 3000;

class EntryGenerator {
 public:
  explicit EntryGenerator(uint64_t seed) : random_(seed) {}

  Entry next(const GroupState& state) {
    const std::string member_id = pick_id();
    const std::string reason = "reason " + std::to_string(below(100));
    switch (below(13)) {
      case 0:
        return bootstrap();
      case 1:
        return MemberAdded{node(static_cast<int>(below(kNodeCount)) + 1)};
      case 2:
        return MemberJoined{member_id};
      case 3:
        return MemberOnline{member_id};
      case 4:
        return MemberSuspected{member_id};
      case 5:
        return MemberReachable{member_id};
      case 6:
        return MemberExpelled{member_id, reason};
      case 7:
        return MemberLeft{member_id, reason};
      case 8:
        return MemberError{member_id, reason};
      case 9:
        return PrimaryElected{elect_primary(state), "rule"};
      case 10:
        return PrimaryElected{below(4) == 0 ? std::nullopt : std::optional(member_id), "forced"};
      case 11:
        return MemberVersionObserved{member_id, pick_version()};
      default:
        return MemberWeightChanged{member_id, static_cast<uint32_t>(below(110))};
    }
  }

 private:
  uint64_t below(uint64_t n) { return random_.next() % n; }

  std::string pick_id() {
    if (below(20) == 0) return make_member_id(random_);  // unknown
    return id(static_cast<int>(below(kNodeCount)) + 1);
  }

  std::string pick_version() {
    const char* versions[] = {"10.6.21", "10.11.19", "10.11.2", "11.4.5-MariaDB", "", "x.y"};
    return versions[below(std::size(versions))];
  }

  NodeConfig node(int n) {
    NodeConfig c = testing::node(n, static_cast<uint32_t>(below(101)), below(10) != 0);
    if (below(10) == 0) c.member_id = id(static_cast<int>(below(kNodeCount)) + 1);
    return c;
  }

  Bootstrap bootstrap() {
    Bootstrap b{testing::kGroupName, below(5) != 0, testing::kViewFixed, {}};
    const auto count = below(kNodeCount) + 1;
    for (uint64_t n = 1; n <= count; ++n) {
      b.nodes.push_back(testing::node(static_cast<int>(n), 50, below(3) != 0));
    }
    return b;
  }

  SeededRandom random_;
};

std::set<std::string> view_of(const GroupState& s) {
  const auto ids = s.view_member_ids();
  return {ids.begin(), ids.end()};
}

void check_step(const GroupState& before, const GroupState& after) {
  const auto valid = check_invariants(after);
  ASSERT_TRUE(valid.has_value()) << valid.error();
  int primaries = 0;
  for (const Member& m : after.members) primaries += m.role == MemberRole::kPrimary ? 1 : 0;
  if (after.single_primary_mode) {
    EXPECT_LE(primaries, 1);
  }
  if (!before.bootstrapped()) return;
  ASSERT_EQ(after.view_id.fixed, before.view_id.fixed);
  const bool view_changed = view_of(before) != view_of(after);
  EXPECT_EQ(after.view_id.seq, before.view_id.seq + (view_changed ? 1 : 0));
}

struct RandomRun {
  GroupState state;
  std::vector<Entry> entries;  // all, valid and not
  size_t accepted = 0;
};

RandomRun random_run(uint64_t seed) {
  EntryGenerator generator(seed);
  RandomRun run;
  for (int i = 0; i < kEntriesPerRun; ++i) {
    Entry entry = generator.next(run.state);
    run.entries.push_back(entry);
    auto next = apply_entry(run.state, entry);
    if (!next) continue;
    ++run.accepted;
    check_step(run.state, *next);
    if (::testing::Test::HasFatalFailure()) return run;
    run.state = std::move(*next);
  }
  return run;
}

GroupState replay(const std::vector<Entry>& entries, bool through_log) {
  GroupState state;
  for (const Entry& e : entries) {
    Entry entry = e;
    if (through_log) {
      auto decoded = decode_entry(encode(e));
      EXPECT_TRUE(decoded.has_value());
      if (decoded) entry = std::move(*decoded);
    }
    if (auto next = apply_entry(state, entry)) state = std::move(*next);
  }
  return state;
}

TEST(RandomEntries, InvariantsHoldAndReplaysAgree) {
  for (uint64_t seed = 1; seed <= 8; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const RandomRun run = random_run(seed);
    if (HasFatalFailure()) return;
    EXPECT_GT(run.accepted, static_cast<size_t>(kEntriesPerRun / 10));
    EXPECT_LT(run.accepted, static_cast<size_t>(kEntriesPerRun));
    for (bool through_log : {false, true}) {
      const GroupState again = replay(run.entries, through_log);
      EXPECT_EQ(again, run.state);
      EXPECT_EQ(elect_primary(again), elect_primary(run.state));
    }
    const auto snapshot = decode_state(encode(run.state));
    ASSERT_TRUE(snapshot.has_value()) << snapshot.error();
    EXPECT_EQ(*snapshot, run.state);
  }
}

TEST(RandomEntries, SameSeedSameRun) {
  EXPECT_EQ(random_run(42).state, random_run(42).state);
  EXPECT_NE(encode(random_run(42).state), encode(random_run(43).state));
}

}  // namespace
}  // namespace grouter::metadata
