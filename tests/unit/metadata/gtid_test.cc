// GTID positions: parsing MariaDB's text, per-domain coverage, merging, errant detection.
#include "metadata/gtid.h"

#include <gtest/gtest.h>

#include "test_support.h"

namespace grouter::metadata {
namespace {

using testing::pos;

TEST(Gtid, ParsesMariaDbPositions) {
  EXPECT_TRUE(pos("").empty());
  auto p = pos("0-1-5,1-2-30");
  ASSERT_EQ(p.domains.size(), 2u);
  EXPECT_EQ(p.domains.at(0), (Gtid{0, 1, 5}));
  EXPECT_EQ(p.domains.at(1), (Gtid{1, 2, 30}));
  EXPECT_EQ(to_string(p), "0-1-5,1-2-30");
  EXPECT_EQ(to_string(pos(" 0-3-18446744073709551615 ,\n 7-4294967295-1 ")),
            "0-3-18446744073709551615,7-4294967295-1");
}

TEST(Gtid, RejectsMalformedText) {
  for (const char* bad : {"0-1", "0-1-", "a-1-2", "0-1-2,", "0-1-2,0-2-3", "0--1-2", "0-1-2-3",
                          "-1-2-3", "0-1-99999999999999999999"}) {
    EXPECT_FALSE(parse_gtid_position(bad).has_value()) << bad;
  }
}

TEST(Gtid, CoversComparesSequenceNumbersPerDomain) {
  EXPECT_TRUE(covers(pos(""), pos("")));
  EXPECT_TRUE(covers(pos("0-1-5"), pos("")));
  EXPECT_FALSE(covers(pos(""), pos("0-1-1")));
  EXPECT_TRUE(covers(pos("0-2-5"), pos("0-1-5")));  // the same seq from another server counts
  EXPECT_FALSE(covers(pos("0-1-4"), pos("0-1-5")));
  EXPECT_FALSE(covers(pos("0-1-9"), pos("0-1-5,1-1-1")));  // a domain missing
  EXPECT_TRUE(covers(pos("0-1-9,1-1-1"), pos("0-1-5,1-1-1")));
}

TEST(Gtid, MergeKeepsTheNewestOfEachDomain) {
  EXPECT_EQ(to_string(merge_newest(pos("0-1-5,2-1-1"), pos("0-2-7,1-3-2"))), "0-2-7,1-3-2,2-1-1");
  EXPECT_EQ(to_string(merge_newest(pos("0-1-5"), pos("0-2-5"))), "0-1-5");  // a's on ties
}

TEST(Gtid, ErrantTransactionsAreNamed) {
  EXPECT_FALSE(errant_against(pos("0-1-5"), pos("0-2-9")).has_value());
  EXPECT_FALSE(errant_against(pos("0-1-5"), pos("0-1-5")).has_value());
  EXPECT_FALSE(errant_against(pos(""), pos("0-1-5")).has_value());
  auto ahead = errant_against(pos("0-1-6"), pos("0-2-5"));
  ASSERT_TRUE(ahead.has_value());
  EXPECT_EQ(*ahead, "0-1-6 (the group has 0-2-5)");
  auto diverged = errant_against(pos("0-3-5"), pos("0-2-5"));
  ASSERT_TRUE(diverged.has_value());
  EXPECT_EQ(*diverged, "0-3-5 (the group has 0-2-5)");
  auto unknown_domain = errant_against(pos("0-1-1,4-3-2"), pos("0-1-1"));
  ASSERT_TRUE(unknown_domain.has_value());
  EXPECT_EQ(*unknown_domain, "4-3-2 (the group has nothing in domain 4)");
}

TEST(Gtid, BinlogStateKeepsEveryServersNewestTransaction) {
  auto state = parse_gtid_state("0-1-5,0-3-7,1-2-3");
  ASSERT_TRUE(state.has_value());
  EXPECT_EQ(state->pairs.size(), 3u);
  EXPECT_FALSE(parse_gtid_state("0-1-5,0-1-6").has_value());
  EXPECT_FALSE(parse_gtid_state("0-1-5,").has_value());
  EXPECT_TRUE(parse_gtid_state("")->pairs.empty());
}

TEST(Gtid, ErrantTailOfAnOldPrimaryIsFoundInTheBinlogState) {
  // The old primary (server 3) wrote 0-3-20 but the group only ever received up to 0-3-18, then
  // the new primary (server 2) went on to 0-2-40: by position the old primary looks behind.
  auto old_primary = *parse_gtid_state("0-1-2,0-3-20");
  auto group = *parse_gtid_state("0-1-2,0-3-18,0-2-40");
  EXPECT_FALSE(errant_against(*parse_gtid_position("0-3-20"), *parse_gtid_position("0-2-40")));
  EXPECT_EQ(errant_in_state(old_primary, group).value_or(""),
            "0-3-20 (the group has 0-3-18 from server 3)");
  // Everything it wrote reached the group: not errant.
  EXPECT_FALSE(errant_in_state(*parse_gtid_state("0-1-2,0-3-18"), group).has_value());
  // A server the group never heard of.
  EXPECT_EQ(errant_in_state(*parse_gtid_state("0-9-1"), group).value_or(""),
            "0-9-1 (the group has nothing from server 9 in domain 0)");
}

TEST(Gtid, TransactionsBehindSumsDomains) {
  EXPECT_EQ(transactions_behind(pos("0-1-5"), pos("0-2-15,1-1-3")), 13u);
  EXPECT_EQ(transactions_behind(pos("0-1-20"), pos("0-2-15")), 0u);
}

}  // namespace
}  // namespace grouter::metadata
