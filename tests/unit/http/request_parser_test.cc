// RequestParser: requests split at every byte, pipelining, limits and errors. No I/O.
#include "router/http/request_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "router/http/http_error.h"

namespace grouter::http {
namespace {

constexpr std::size_t kLimit = 1024;

TEST(RequestParser, GetWithPathAndQuery) {
  RequestParser parser(kLimit);
  const std::string text = "GET /v1/status?a=1&b=2 HTTP/1.1\r\nHost: x\r\nX-Thing: yes\r\n\r\n";
  auto step = parser.parse(text);
  ASSERT_TRUE(step);
  EXPECT_EQ(step->consumed, text.size());
  ASSERT_TRUE(step->request);
  EXPECT_EQ(step->request->method, "GET");
  EXPECT_EQ(step->request->path, "/v1/status");
  EXPECT_EQ(step->request->query, "a=1&b=2");
  EXPECT_EQ(step->request->header("x-thing"), "yes");
  EXPECT_FALSE(step->request->header("missing"));
  EXPECT_TRUE(step->keep_alive);
}

TEST(RequestParser, EveryProperPrefixNeedsMoreBytes) {
  const std::string text = "POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    RequestParser parser(kLimit);
    auto first = parser.parse(std::string_view(text).substr(0, cut));
    ASSERT_TRUE(first) << cut;
    EXPECT_EQ(first->consumed, cut);
    EXPECT_FALSE(first->request) << cut;
    auto second = parser.parse(std::string_view(text).substr(cut));
    ASSERT_TRUE(second) << cut;
    ASSERT_TRUE(second->request) << cut;
    EXPECT_EQ(second->request->body, "hello");
  }
}

TEST(RequestParser, ByteByByte) {
  const std::string text = "POST /p?q HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
  RequestParser parser(kLimit);
  std::optional<Request> request;
  for (char c : text) {
    auto step = parser.parse(std::string_view(&c, 1));
    ASSERT_TRUE(step);
    ASSERT_EQ(step->consumed, 1u);
    if (step->request) request = std::move(step->request);
  }
  ASSERT_TRUE(request);
  EXPECT_EQ(request->body, "abcde");
  EXPECT_EQ(request->query, "q");
}

TEST(RequestParser, PipelinedRequestsComeOneAtATime) {
  const std::string first = "GET /a HTTP/1.1\r\n\r\n";
  const std::string second = "POST /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi";
  const std::string third = "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n";
  const std::string all = first + second + third;
  RequestParser parser(kLimit);
  std::size_t offset = 0;
  std::vector<std::string> paths;
  std::vector<bool> keep_alive;
  while (offset < all.size()) {
    auto step = parser.parse(std::string_view(all).substr(offset));
    ASSERT_TRUE(step);
    ASSERT_TRUE(step->request);
    offset += step->consumed;
    paths.push_back(step->request->path);
    keep_alive.push_back(step->keep_alive);
  }
  EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/b", "/c"}));
  EXPECT_EQ(keep_alive, (std::vector<bool>{true, true, false}));
}

TEST(RequestParser, Http10ClosesUnlessKeepAlive) {
  RequestParser plain(kLimit);
  auto step = plain.parse("GET / HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(step && step->request);
  EXPECT_FALSE(step->keep_alive);
  RequestParser kept(kLimit);
  step = kept.parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  ASSERT_TRUE(step && step->request);
  EXPECT_TRUE(step->keep_alive);
}

// A request of `total` bytes whose head declares a 3-digit Content-Length.
std::string request_of(std::size_t total) {
  const std::string head = "POST / HTTP/1.1\r\nContent-Length: 000\r\n\r\n";
  const std::size_t body = total - head.size();
  std::string text = "POST / HTTP/1.1\r\nContent-Length: " + std::to_string(body) + "\r\n\r\n";
  return text + std::string(body, 'x');
}

TEST(RequestParser, RequestOfExactlyTheLimitIsAccepted) {
  const std::string text = request_of(kLimit);
  ASSERT_EQ(text.size(), kLimit);
  RequestParser parser(kLimit);
  auto step = parser.parse(text + "GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(step);
  ASSERT_TRUE(step->request);
  EXPECT_EQ(step->consumed, kLimit);
}

TEST(RequestParser, OneByteOverTheLimitFails) {
  const std::string text = request_of(kLimit + 1);
  for (std::size_t cut : {std::size_t{0}, std::size_t{100}, text.size() - 1}) {
    RequestParser parser(kLimit);
    auto first = parser.parse(std::string_view(text).substr(0, cut));
    std::expected<RequestParser::Step, std::error_code> second = first;
    if (first) second = parser.parse(std::string_view(text).substr(first->consumed));
    ASSERT_FALSE(second) << cut;
    EXPECT_EQ(second.error(), HttpError::kRequestTooLarge) << cut;
  }
}

std::string chunked_over_the_limit() {
  std::string text = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 20; ++i) text += "64\r\n" + std::string(100, 'z') + "\r\n";
  return text;
}

TEST(RequestParser, ErrorsTable) {
  struct Case {
    const char* name;
    std::string text;
    HttpError error;
    int status;
  };
  const Case cases[] = {
      {"content-length over the limit", "POST / HTTP/1.1\r\nContent-Length: 1025\r\n\r\n",
       HttpError::kRequestTooLarge, 413},
      {"head over the limit", "GET / HTTP/1.1\r\nX-Big: " + std::string(2 * kLimit, 'y'), HttpError::kRequestTooLarge,
       413},
      {"chunked body over the limit", chunked_over_the_limit(), HttpError::kRequestTooLarge, 413},
      {"binary", "\x01\x02 garbage\r\n\r\n", HttpError::kMalformedRequest, 400},
      {"tls hello", std::string("\x16\x03\x01\x02\x00", 5), HttpError::kMalformedRequest, 400},
      {"header without colon", "GET / HTTP/1.1\r\nBad Header\r\n\r\n", HttpError::kMalformedRequest, 400},
      {"bad version", "GET / HTTP/x.1\r\n\r\n", HttpError::kMalformedRequest, 400},
      {"bad content-length", "POST / HTTP/1.1\r\nContent-Length: z\r\n\r\n", HttpError::kMalformedRequest, 400},
      {"unknown method", "BREW /pot HTTP/1.1\r\n\r\n", HttpError::kMethodNotAllowed, 405},
  };
  for (const Case& c : cases) {
    RequestParser parser(kLimit);
    auto step = parser.parse(c.text);
    ASSERT_FALSE(step) << c.name;
    EXPECT_EQ(step.error(), c.error) << c.name;
    EXPECT_EQ(status_for_request_error(step.error()), c.status) << c.name;
  }
}

TEST(RequestParser, KnownMethodsOtherThanGetPostHeadAreParsed) {
  RequestParser parser(kLimit);
  auto step = parser.parse("DELETE /x HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(step && step->request);
  EXPECT_EQ(step->request->method, "DELETE");
}

// Mutated requests fed in random pieces: every outcome is a request, "need more" or an error value.
TEST(RequestParser, SurvivesMutatedInput) {
  const std::string valid =
      "POST /a/b?c=d HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbodyGET / HTTP/1.1\r\n"
      "Transfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n";
  std::mt19937 random(12345);
  for (int round = 0; round < 5000; ++round) {
    std::string text = valid;
    const int mutations = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < mutations; ++i) text[random() % text.size()] = static_cast<char>(random() % 256);
    RequestParser parser(64);
    std::size_t offset = 0;
    int pieces = 0;
    while (offset < text.size() && ++pieces < 1000) {
      const std::size_t piece = 1 + random() % 16;
      auto step = parser.parse(std::string_view(text).substr(offset, piece));
      if (!step) break;
      ASSERT_LE(step->consumed, piece);
      offset += step->consumed;
    }
  }
}

}  // namespace
}  // namespace grouter::http
