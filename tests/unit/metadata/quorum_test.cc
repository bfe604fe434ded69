// Majorities of a view.
#include "metadata/quorum.h"

#include <vector>

#include <gtest/gtest.h>

#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::id;
using testing::must_apply;
using testing::online_group;

TEST(Quorum, MajorityTable) {
  const std::pair<size_t, size_t> table[] = {{0, 1}, {1, 1}, {2, 2}, {3, 2}, {4, 3},
                                             {5, 3}, {6, 4}, {7, 4}, {8, 5}, {9, 5}};
  for (const auto& [n, m] : table) EXPECT_EQ(majority(n), m) << n;
}

std::vector<std::string> ids(std::initializer_list<int> ns) {
  std::vector<std::string> out;
  for (int n : ns) out.push_back(id(n));
  return out;
}

struct MajorityCase {
  const char* name;
  std::vector<std::string> view;
  std::vector<std::string> reachable;
  bool expected;
};

TEST(Quorum, HasMajority) {
  const MajorityCase cases[] = {
      {"3 of 3", ids({1, 2, 3}), ids({1, 2, 3}), true},
      {"2 of 3", ids({1, 2, 3}), ids({1, 3}), true},
      {"1 of 3", ids({1, 2, 3}), ids({2}), false},
      {"2 of 4", ids({1, 2, 3, 4}), ids({1, 2}), false},
      {"3 of 4", ids({1, 2, 3, 4}), ids({1, 2, 4}), true},
      {"1 of 1", ids({1}), ids({1}), true},
      {"0 of 1", ids({1}), {}, false},
      {"1 of 2", ids({1, 2}), ids({2}), false},
      {"duplicates count once", ids({1, 2, 3}), ids({1, 1, 1}), false},
      {"outsiders do not count", ids({1, 2, 3}), ids({1, 7, 8}), false},
      {"empty view", {}, ids({1}), false},
      {"5 of 9", ids({1, 2, 3, 4, 5, 6, 7, 8, 9}), ids({1, 3, 5, 7, 9}), true},
      {"4 of 9", ids({1, 2, 3, 4, 5, 6, 7, 8, 9}), ids({1, 3, 5, 7}), false},
  };
  for (const MajorityCase& c : cases)
    EXPECT_EQ(has_majority(c.view, c.reachable), c.expected) << c.name;
}

TEST(Quorum, OfGroupStateCountsUnreachableAsMissing) {
  GroupState s = online_group(3);
  EXPECT_TRUE(has_majority(s));
  s = must_apply(s, MemberSuspected{id(1)});
  EXPECT_TRUE(has_majority(s));
  s = must_apply(s, MemberSuspected{id(2)});
  EXPECT_FALSE(has_majority(s));
  s = must_apply(s, MemberExpelled{id(2), "test"});  // a view of 2 with one reachable
  EXPECT_FALSE(has_majority(s));
}

}  // namespace
}  // namespace grouter::metadata
