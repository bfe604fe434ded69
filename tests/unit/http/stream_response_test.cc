// Streamed answers (responder.h's ResponseStream) over real loopback sockets (server_fixture.h):
// the head without Content-Length, bytes as they are sent, a stream queued behind a pending
// answer, HEAD, the client going, the server closing, and the bound on a client that never reads.
// Every test ends with no live handle on the loop (the fixture checks it).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "router/http/http_server.h"
#include "router/http/responder.h"
#include "server_fixture.h"
#include "test_client.h"

namespace grouter::http {
namespace {

using testing::ClientSide;
using testing::HttpServerTest;
using testing::TestClient;

// /stream answers with a stream; any other path waits until the test answers it.
class Streams {
 public:
  AsyncHandler handler() {
    return [this](const Request& request, Responder respond) {
      if (request.path != "/stream") {
        parked_.push_back(std::move(respond));
        return;
      }
      Response head{.status = 200, .content_type = "text/event-stream"};
      head.headers.emplace_back("Cache-Control", "no-store");
      streams_.push_back(respond.stream(std::move(head)));
    };
  }
  std::vector<std::shared_ptr<ResponseStream>> streams_;  // null where stream() refused
  std::vector<Responder> parked_;
};

// A client that asked for /stream and read the answer's head.
std::unique_ptr<TestClient> open_stream(ClientSide& side) {
  auto client = std::make_unique<TestClient>("127.0.0.1", side.port());
  EXPECT_TRUE(client->send("GET /stream HTTP/1.1\r\n\r\n"));
  EXPECT_TRUE(client->read_head());
  return client;
}

TEST_F(HttpServerTest, StreamSendsItsHeadThenEachPieceAsSent) {
  Streams s;
  serve(s.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /stream HTTP/1.1\r\n\r\n"));
    auto head = client.read_head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_EQ(head->headers["content-type"], "text/event-stream");
    EXPECT_EQ(head->headers["cache-control"], "no-store");
    EXPECT_EQ(head->headers["connection"], "close");
    EXPECT_EQ(head->headers.count("content-length"), 0u);
    for (const std::string piece : {"data: one\n\n", "data: two\n\n"}) {
      side.on_loop([&] { EXPECT_TRUE(s.streams_.at(0)->send(piece)); });
      EXPECT_EQ(client.read_until("\n\n"), piece);
    }
    side.on_loop([&] { EXPECT_TRUE(s.streams_.at(0)->is_open()); });
  });
  ASSERT_EQ(s.streams_.size(), 1u);
  EXPECT_FALSE(s.streams_[0]->is_open());  // the server closed: the handle sends nothing
  EXPECT_FALSE(s.streams_[0]->send("late"));
}

TEST_F(HttpServerTest, StreamQueuedBehindAPendingAnswerFollowsIt) {
  Streams s;
  serve(s.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /first HTTP/1.1\r\n\r\nGET /stream HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(side.wait_until([&] { return s.streams_.size() == 1; }));
    side.on_loop([&] { EXPECT_TRUE(s.streams_[0]->send("early\n")); });
    EXPECT_FALSE(client.readable_within(50));  // nothing before the first answer
    side.on_loop([&] { s.parked_.at(0)(Response{.status = 200, .content_type = "text/plain", .body = "first"}); });
    auto first = client.read_response();
    ASSERT_TRUE(first);
    EXPECT_EQ(first->body, "first");
    auto head = client.read_head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->headers["content-type"], "text/event-stream");
    EXPECT_EQ(client.read_until("\n"), "early\n");
  });
}

TEST_F(HttpServerTest, HeadRequestOfAStreamGetsTheHeadAlone) {
  Streams s;
  serve(s.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("HEAD /stream HTTP/1.1\r\n\r\n"));
    auto head = client.read_head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 200);
    EXPECT_TRUE(client.closed_by_server());
    side.on_loop([&] {
      ASSERT_EQ(s.streams_.size(), 1u);
      EXPECT_FALSE(s.streams_[0]->is_open());
    });
  });
}

TEST_F(HttpServerTest, ClientThatGoesClosesItsStream) {
  Streams s;
  serve(s.handler(), [&](ClientSide& side) {
    open_stream(side);  // and closed
    ASSERT_TRUE(side.wait_until([&] { return !s.streams_.at(0)->is_open(); }));
    ASSERT_TRUE(side.wait_for_connection_count(0));
    side.on_loop([&] { EXPECT_FALSE(s.streams_[0]->send("nobody\n")); });
  });
}

TEST_F(HttpServerTest, StreamCloseEndsTheConnection) {
  Streams s;
  serve(s.handler(), [&](ClientSide& side) {
    auto owned_client = open_stream(side);
    TestClient& client = *owned_client;
    side.on_loop([&] { s.streams_.at(0)->close(); });
    EXPECT_TRUE(client.closed_by_server());
    ASSERT_TRUE(side.wait_for_connection_count(0));
  });
}

TEST_F(HttpServerTest, ClientThatNeverReadsIsRefusedThenClosed) {
  Streams s;
  Limits limits;
  limits.max_stream_queue_bytes = 64 * 1024;
  limits.idle_timeout_ms = 300;  // a stalled stream closes after this
  serve(s.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /stream HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(side.wait_until([&] { return s.streams_.size() == 1; }));
    const std::string piece(16 * 1024, 'x');
    std::size_t sent = 0;
    int idle_rounds = 0;
    // Each round sends until send() refuses; the kernel's socket buffers take some between
    // rounds, until they are full and rounds in a row send nothing.
    for (int round = 0; round < 5000 && idle_rounds < 5; ++round) {
      side.on_loop([&] {
        std::size_t this_round = 0;
        while (s.streams_[0]->send(piece)) this_round += piece.size();
        EXPECT_LE(s.streams_[0]->queued_bytes(), limits.max_stream_queue_bytes);
        sent += this_round;
        idle_rounds = this_round == 0 ? idle_rounds + 1 : 0;
      });
      if (idle_rounds > 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_EQ(idle_rounds, 5);
    EXPECT_LT(sent, 64u * 1024 * 1024) << "the queue is not bounded";
    // No byte is written for idle_timeout_ms: the connection closes.
    ASSERT_TRUE(side.wait_until([&] { return !s.streams_[0]->is_open(); }));
  }, limits);
}

}  // namespace
}  // namespace grouter::http
