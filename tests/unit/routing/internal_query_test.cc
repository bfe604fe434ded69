// GTID positions as grouter compares them for a speculative BEFORE read.
#include "routing/internal_query.h"

#include <gtest/gtest.h>

namespace grouter::routing {
namespace {

TEST(GtidPositionCovers, EveryDomainOfTheNeedMustBeReached) {
  EXPECT_TRUE(gtid_position_covers("0-1-5", "0-1-5"));
  EXPECT_TRUE(gtid_position_covers("0-2-9,1-1-3", "0-1-5"));  // another server, a higher number
  EXPECT_TRUE(gtid_position_covers("0-1-5", ""));              // nothing needed
  EXPECT_TRUE(gtid_position_covers("1-1-3, 0-1-7", "0-1-7,1-1-2"));
  EXPECT_FALSE(gtid_position_covers("0-1-4", "0-1-5"));
  EXPECT_FALSE(gtid_position_covers("0-1-5", "0-1-5,1-1-1"));  // a domain it lacks
  EXPECT_FALSE(gtid_position_covers("", "0-1-1"));
}

TEST(GtidPositionCovers, AnUnreadablePositionIsNeverReached) {
  EXPECT_FALSE(gtid_position_covers("0-1-x", "0-1-1"));
  EXPECT_FALSE(gtid_position_covers("0-1-9", "0-1"));
  EXPECT_FALSE(gtid_position_covers("garbage", ""));
}

}  // namespace
}  // namespace grouter::routing
