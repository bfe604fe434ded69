// Server-Sent Events framing (http/sse.h), byte for byte.
#include <gtest/gtest.h>

#include "router/http/sse.h"

namespace grouter::http {
namespace {

TEST(Sse, EventWithOneLineOfData) {
  EXPECT_EQ(sse_event("state", 7, R"({"a":1})"), "event: state\nid: 7\ndata: {\"a\":1}\n\n");
}

TEST(Sse, EachLineOfDataGetsItsOwnDataField) {
  EXPECT_EQ(sse_event("group", 1, "a\nb\r\nc\rd"),
            "event: group\nid: 1\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
  EXPECT_EQ(sse_event("group", 2, "end\n"), "event: group\nid: 2\ndata: end\ndata: \n\n");
  EXPECT_EQ(sse_event("group", 3, ""), "event: group\nid: 3\ndata: \n\n");
}

TEST(Sse, LineBreaksInTheTypeCannotEndTheEvent) {
  EXPECT_EQ(sse_event("a\nid: 9\n", 1, "x"), "event: aid: 9\nid: 1\ndata: x\n\n");
}

TEST(Sse, CommentAndRetry) {
  EXPECT_EQ(sse_comment("heartbeat"), ": heartbeat\n\n");
  EXPECT_EQ(sse_comment("two\nlines"), ": two lines\n\n");
  EXPECT_EQ(sse_retry(2000), "retry: 2000\n\n");
}

TEST(Sse, LastEventIdIsDecimalOnly) {
  EXPECT_EQ(parse_last_event_id("42"), 42u);
  EXPECT_EQ(parse_last_event_id(" 42 "), 42u);
  EXPECT_EQ(parse_last_event_id("0"), 0u);
  EXPECT_EQ(parse_last_event_id("18446744073709551615"), UINT64_MAX);
  EXPECT_FALSE(parse_last_event_id(""));
  EXPECT_FALSE(parse_last_event_id("-1"));
  EXPECT_FALSE(parse_last_event_id("4x"));
  EXPECT_FALSE(parse_last_event_id("18446744073709551616"));
}

}  // namespace
}  // namespace grouter::http
