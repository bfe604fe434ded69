// Destination list parsing.
#include "routing/destination.h"

#include <gtest/gtest.h>

namespace grouter::routing {
namespace {

TEST(Destination, ParsesHostsPortsAndIpv6) {
  auto parsed = parse_destinations("127.0.0.1:3306, [::1]:3307 ,db.example");
  ASSERT_TRUE(parsed.has_value()) << parsed.error();
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0], (Destination{"127.0.0.1", 3306}));
  EXPECT_EQ((*parsed)[1], (Destination{"::1", 3307}));
  EXPECT_EQ((*parsed)[2], (Destination{"db.example", kDefaultMysqlPort}));
  EXPECT_EQ((*parsed)[1].to_string(), "[::1]:3307");
  EXPECT_EQ((*parsed)[0].to_string(), "127.0.0.1:3306");
}

TEST(Destination, RejectsBadEntriesWithTheReason) {
  struct Case {
    const char* text;
    const char* reason;
  } cases[] = {
      {"", "empty destination"},
      {"a:3306,,b", "empty destination"},
      {"host:0", "invalid port '0'"},
      {"host:70000", "invalid port '70000'"},
      {"host:33x", "invalid port '33x'"},
      {"host:", "missing port"},
      {"::1:3306", "IPv6 address needs brackets"},
      {"[::1", "missing ']'"},
      {":3306", "missing host"},
      {"ho st:1", "invalid character"},
  };
  for (const auto& c : cases) {
    auto parsed = parse_destinations(c.text);
    ASSERT_FALSE(parsed.has_value()) << c.text;
    EXPECT_NE(parsed.error().find(c.reason), std::string::npos) << c.text << ": " << parsed.error();
  }
}

}  // namespace
}  // namespace grouter::routing
