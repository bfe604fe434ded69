// HttpServer with an AsyncHandler over real loopback sockets (server_fixture.h): answers given on a
// later loop iteration, request order under pipelining, the bound on pending requests, and
// Responders called after the client, the connection or the server is gone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
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

constexpr int kQuietMs = 50;  // how long a test waits to see that nothing arrives

// Requests an AsyncHandler keeps unanswered until the test answers them. Loop thread only.
class Parked {
 public:
  AsyncHandler handler() {
    return [this](const Request& request, Responder respond) {
      requests_.emplace_back(request.path, std::move(respond));
      max_waiting_ = std::max(max_waiting_, waiting_count());
    };
  }
  std::size_t size() const { return requests_.size(); }
  const Responder& at(std::size_t i) const { return requests_.at(i).second; }
  // Answers request `i` with "answer <its path>".
  void answer(std::size_t i) const {
    at(i)(Response{
        .status = 200, .content_type = "text/plain", .body = "answer " + requests_.at(i).first});
  }
  void clear() { requests_.clear(); }
  std::size_t max_waiting() const { return max_waiting_; }

 private:
  std::size_t waiting_count() const {
    return static_cast<std::size_t>(
        std::ranges::count_if(requests_, [](const auto& r) { return r.second.waiting(); }));
  }

  std::vector<std::pair<std::string, Responder>> requests_;
  std::size_t max_waiting_ = 0;
};

void expect_body(TestClient& client, const std::string& body, bool head_request = false) {
  auto response = client.read_response(head_request);
  ASSERT_TRUE(response) << body;
  EXPECT_EQ(response->status, 200) << body;
  EXPECT_EQ(response->body, body);
}

TEST_F(HttpServerTest, AsyncAnswerArrivesOnALaterIteration) {
  Parked parked;
  serve(parked.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /later HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(side.wait_until([&] { return parked.size() == 1; }));
    EXPECT_FALSE(client.readable_within(kQuietMs));
    side.on_loop([&] {
      EXPECT_TRUE(parked.at(0).waiting());
      parked.answer(0);
      EXPECT_FALSE(parked.at(0).waiting());
    });
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "answer /later");
    EXPECT_EQ(response->headers["connection"], "keep-alive");
    ASSERT_TRUE(client.send("GET /again HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(side.wait_until([&] { return parked.size() == 2; }));
    side.on_loop([&] { parked.answer(1); });
    expect_body(client, "answer /again");
  });
}

TEST_F(HttpServerTest, PipelinedAnswersLeaveInRequestOrder) {
  Parked parked;
  AsyncHandler park = parked.handler();
  int at_once = 0;
  serve(AsyncHandler([&](const Request& request, Responder respond) {
          if (request.path.starts_with("/slow")) return park(request, std::move(respond));
          ++at_once;
          respond(Response{
              .status = 200, .content_type = "text/plain", .body = "at once " + request.path});
        }),
        [&](ClientSide& side) {
          TestClient client("127.0.0.1", side.port());
          ASSERT_TRUE(
              client.send("GET /slow1 HTTP/1.1\r\n\r\nGET /fast1 HTTP/1.1\r\n\r\n"
                          "GET /slow2 HTTP/1.1\r\n\r\nHEAD /fast2 HTTP/1.1\r\n\r\n"));
          ASSERT_TRUE(side.wait_until([&] { return parked.size() == 2 && at_once == 2; }));
          EXPECT_FALSE(client.readable_within(kQuietMs));  // /fast1 waits behind /slow1
          side.on_loop([&] { parked.answer(1); });
          EXPECT_FALSE(client.readable_within(kQuietMs));  // /slow2 too
          side.on_loop([&] { parked.answer(0); });
          expect_body(client, "answer /slow1");
          expect_body(client, "at once /fast1");
          expect_body(client, "answer /slow2");
          auto head = client.read_response(/*head_request=*/true);
          ASSERT_TRUE(head);
          EXPECT_EQ(head->headers["content-length"], "14");  // "at once /fast2"
          EXPECT_FALSE(client.readable_within(kQuietMs));
        });
}

TEST_F(HttpServerTest, FinalRequestAnsweredLaterThenTheConnectionCloses) {
  Parked parked;
  serve(parked.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(
        client.send("GET /last HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(side.wait_until([&] { return parked.size() == 1; }));
    EXPECT_FALSE(client.readable_within(kQuietMs));
    side.on_loop([&] { parked.answer(0); });
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "answer /last");
    EXPECT_EQ(response->headers["connection"], "close");
    EXPECT_TRUE(client.closed_by_server());
    side.on_loop([&] { EXPECT_EQ(parked.size(), 1u); });  // /never never reached the handler
  });
}

TEST_F(HttpServerTest, ClientThatEndsItsSideStillGetsTheLateAnswer) {
  Parked parked;
  serve(parked.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"));
    client.shutdown_write();
    ASSERT_TRUE(side.wait_until([&] { return parked.size() == 2; }));
    side.on_loop([&] { parked.answer(0); });
    expect_body(client, "answer /a");
    EXPECT_FALSE(client.readable_within(kQuietMs));  // the server waits for /b before it ends
    side.on_loop([&] { parked.answer(1); });
    expect_body(client, "answer /b");
    EXPECT_TRUE(client.closed_by_server());
  });
}

TEST_F(HttpServerTest, AnswerAfterTheClientResetDoesNothing) {
  Parked parked;
  serve(parked.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /gone HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(side.wait_until([&] { return parked.size() == 1; }));
    client.reset();
    ASSERT_TRUE(side.wait_for_connection_count(0));
    side.on_loop([&] {
      EXPECT_FALSE(parked.at(0).waiting());
      parked.answer(0);
      parked.clear();  // the last copy goes without an answer: still nothing to do
    });
  });
}

TEST_F(HttpServerTest, IdleTimeoutBoundsAPendingAnswer) {
  Parked parked;
  serve(
      parked.handler(),
      [&](ClientSide& side) {
        TestClient client("127.0.0.1", side.port());
        ASSERT_TRUE(client.send("GET /slow HTTP/1.1\r\n\r\n"));
        EXPECT_TRUE(client.closed_by_server());
        ASSERT_TRUE(side.wait_for_connection_count(0));
        side.on_loop([&] {
          ASSERT_EQ(parked.size(), 1u);
          EXPECT_FALSE(parked.at(0).waiting());
          parked.answer(0);
        });
      },
      Limits{.idle_timeout_ms = 50});
}

TEST_F(HttpServerTest, AnswerAfterTheServerClosedDoesNothing) {
  Parked parked;  // outlives the server
  serve(parked.handler(), [&](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(side.wait_until([&] { return parked.size() == 2; }));
    side.close_server();
    EXPECT_TRUE(client.closed_by_server());
  });
  ASSERT_EQ(parked.size(), 2u);
  EXPECT_FALSE(parked.at(0).waiting());
  parked.answer(1);
  parked.answer(0);
  parked.clear();
}

TEST_F(HttpServerTest, ResponderDroppedUnansweredAnswers500) {
  Parked parked;
  AsyncHandler park = parked.handler();
  serve(AsyncHandler([&](const Request& request, Responder respond) {
          if (request.path == "/forget") return;
          if (request.path == "/throw") throw std::runtime_error("boom");
          park(request, std::move(respond));
        }),
        [&](ClientSide& side) {
          TestClient client("127.0.0.1", side.port());
          for (const char* path : {"/forget", "/throw"}) {
            ASSERT_TRUE(client.send(std::string("GET ") + path + " HTTP/1.1\r\n\r\n"));
            auto response = client.read_response();
            ASSERT_TRUE(response) << path;
            EXPECT_EQ(response->status, 500) << path;
            EXPECT_EQ(response->headers["connection"], "keep-alive") << path;
          }
          ASSERT_TRUE(client.send("GET /park HTTP/1.1\r\n\r\n"));
          ASSERT_TRUE(side.wait_until([&] { return parked.size() == 1; }));
          side.on_loop([&] { parked.clear(); });
          auto response = client.read_response();
          ASSERT_TRUE(response);
          EXPECT_EQ(response->status, 500);
        });
}

TEST_F(HttpServerTest, OnlyTheFirstAnswerCounts) {
  serve(AsyncHandler([](const Request& request, Responder respond) {
          const Responder copy = respond;
          respond(Response{
              .status = 200, .content_type = "text/plain", .body = "first " + request.path});
          copy(Response{.status = 201, .body = "second"});
          respond(Response{.status = 202, .body = "third"});
          EXPECT_FALSE(copy.waiting());
        }),
        [](ClientSide& side) {
          TestClient client("127.0.0.1", side.port());
          ASSERT_TRUE(client.send("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"));
          expect_body(client, "first /1");
          expect_body(client, "first /2");
          EXPECT_FALSE(client.readable_within(kQuietMs));
        });
}

TEST_F(HttpServerTest, PendingRequestsPerConnectionAreBounded) {
  Parked parked;
  constexpr std::size_t kRequests = 5;
  serve(
      parked.handler(),
      [&](ClientSide& side) {
        TestClient client("127.0.0.1", side.port());
        std::string requests;
        for (std::size_t i = 0; i < kRequests; ++i)
          requests += "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
        ASSERT_TRUE(client.send(requests));
        ASSERT_TRUE(side.wait_until([&] { return parked.size() == 2; }));
        EXPECT_FALSE(client.readable_within(kQuietMs));
        side.on_loop([&] { EXPECT_EQ(parked.size(), 2u); });  // the third waits unread
        for (std::size_t i = 0; i < kRequests; ++i) {
          side.on_loop([&] { parked.answer(i); });
          expect_body(client, "answer /" + std::to_string(i));
          const std::size_t reached = std::min(i + 3, kRequests);
          ASSERT_TRUE(side.wait_until([&] { return parked.size() == reached; })) << i;
        }
        side.on_loop([&] { EXPECT_EQ(parked.max_waiting(), 2u); });
      },
      Limits{.max_pending_requests = 2});
}

}  // namespace
}  // namespace grouter::http
