// Connect-error counting and blocking per host.
#include "routing/blocked_hosts.h"

#include <gtest/gtest.h>

namespace grouter::routing {
namespace {

TEST(BlockedHosts, BlocksAfterMaxErrorsInARow) {
  BlockedHosts hosts(3);
  EXPECT_FALSE(hosts.record_error("10.0.0.1"));
  EXPECT_FALSE(hosts.record_error("10.0.0.1"));
  EXPECT_FALSE(hosts.is_blocked("10.0.0.1"));
  EXPECT_TRUE(hosts.record_error("10.0.0.1"));  // the third blocks
  EXPECT_TRUE(hosts.is_blocked("10.0.0.1"));
  EXPECT_FALSE(hosts.record_error("10.0.0.1"));  // already blocked: not "newly blocked"
  EXPECT_FALSE(hosts.is_blocked("10.0.0.2"));
  EXPECT_EQ(hosts.blocked(), std::vector<std::string>{"10.0.0.1"});
}

TEST(BlockedHosts, SuccessResetsTheCountButNotABlock) {
  BlockedHosts hosts(2);
  hosts.record_error("a");
  hosts.record_success("a");
  EXPECT_FALSE(hosts.record_error("a"));  // counting starts over
  EXPECT_TRUE(hosts.record_error("a"));
  hosts.record_success("a");  // a blocked host stays blocked
  EXPECT_TRUE(hosts.is_blocked("a"));
}

}  // namespace
}  // namespace grouter::routing
