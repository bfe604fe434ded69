// serialize_response(): byte-exact output.
#include "router/http/response_writer.h"

#include <gtest/gtest.h>

namespace grouter::http {
namespace {

TEST(ResponseWriter, KeepAliveResponse) {
  const Response response{.status = 200, .body = "{}"};
  EXPECT_EQ(serialize_response(response, Framing{}),
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n"
            "Connection: keep-alive\r\n\r\n{}");
}

TEST(ResponseWriter, HeadKeepsLengthAndDropsBody) {
  const Response response{.status = 404, .content_type = "text/plain", .body = "nope", .headers = {{"X-A", "b"}}};
  EXPECT_EQ(serialize_response(response, Framing{.head_request = true, .keep_alive = false}),
            "HTTP/1.1 404 Not Found\r\nX-A: b\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
            "Connection: close\r\n\r\n");
}

TEST(ResponseWriter, LineBreaksInHeadersAreDropped) {
  const Response response{.status = 200, .content_type = "text/plain\r\nX-Evil: 1", .body = ""};
  EXPECT_EQ(serialize_response(response, Framing{}),
            "HTTP/1.1 200 OK\r\nContent-Type: text/plainX-Evil: 1\r\nContent-Length: 0\r\n"
            "Connection: keep-alive\r\n\r\n");
}

TEST(ResponseWriter, StatusOutOfRangeBecomes500) {
  const Response response{.status = 1234, .body = ""};
  EXPECT_TRUE(serialize_response(response, Framing{}).starts_with("HTTP/1.1 500 Internal Server Error\r\n"));
  EXPECT_EQ(reason_phrase(299), "Unknown");
}

TEST(ResponseWriter, ErrorResponseIsJson) {
  const Response response = error_response(413);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, "{\"error\":\"Payload Too Large\"}\n");
}

}  // namespace
}  // namespace grouter::http
