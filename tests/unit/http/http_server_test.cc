// HttpServer with handlers that answer at once, over real loopback sockets (server_fixture.h): the
// loop runs on the test thread, a blocking client on another.
#include "router/http/http_server.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "server_fixture.h"
#include "test_client.h"

namespace grouter::http {
namespace {

using testing::ClientSide;
using testing::expect_final_error;
using testing::HttpServerTest;
using testing::TestClient;

Response echo(const Request& request) {
  return Response{.status = 200, .content_type = "text/plain",
                  .body = request.method + " " + request.path + "?" + request.query + " " + request.body};
}

TEST_F(HttpServerTest, GetReturnsTheHandlersResponse) {
  Request seen;
  serve(
      [&](const Request& request) {
        seen = request;
        return Response{.status = 200, .body = R"({"ok":true})"};
      },
      [](ClientSide& side) {
        TestClient client("127.0.0.1", side.port());
        ASSERT_TRUE(client.connected());
        ASSERT_TRUE(client.send("GET /v1/status?verbose=1 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
        auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
        EXPECT_EQ(response->headers["content-type"], "application/json");
        EXPECT_EQ(response->headers["content-length"], "11");
        EXPECT_EQ(response->headers["connection"], "keep-alive");
        EXPECT_EQ(response->body, R"({"ok":true})");
      });
  EXPECT_EQ(seen.method, "GET");
  EXPECT_EQ(seen.path, "/v1/status");
  EXPECT_EQ(seen.query, "verbose=1");
  EXPECT_EQ(seen.header("host"), "localhost");
}

TEST_F(HttpServerTest, PostBodyReachesTheHandler) {
  serve(echo, [](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("POST /v1/echo HTTP/1.1\r\nContent-Length: 11\r\n\r\n"));
    ASSERT_TRUE(client.send("hello world"));
    auto response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "POST /v1/echo? hello world");
    ASSERT_TRUE(client.send("POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"));
    response = client.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "POST /c? abc");
  });
}

TEST_F(HttpServerTest, TwoRequestsOnOneKeepAliveConnection) {
  serve(echo, [](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    for (const char* path : {"/one", "/two"}) {
      ASSERT_TRUE(client.send(std::string("GET ") + path + " HTTP/1.1\r\n\r\n"));
      auto response = client.read_response();
      ASSERT_TRUE(response);
      EXPECT_EQ(response->body, std::string("GET ") + path + "? ");
      EXPECT_EQ(response->headers["connection"], "keep-alive");
    }
  });
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  serve(echo, [](ClientSide& side) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 1\r\n\r\nxHEAD /c HTTP/1.1\r\n\r\n"
                            "GET /d HTTP/1.1\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n"));
    auto a = client.read_response();
    auto b = client.read_response();
    auto c = client.read_response(/*head_request=*/true);
    auto d = client.read_response();
    ASSERT_TRUE(a && b && c && d);
    EXPECT_EQ(a->body, "GET /a? ");
    EXPECT_EQ(b->body, "POST /b? x");
    EXPECT_EQ(c->body, "");
    EXPECT_EQ(c->headers["content-length"], "9");  // "HEAD /c? "
    EXPECT_EQ(d->body, "GET /d? ");
    EXPECT_EQ(d->headers["connection"], "close");
    EXPECT_TRUE(client.closed_by_server());
  });
}

TEST_F(HttpServerTest, OversizedRequestsGet413AndClose) {
  serve(echo, [](ClientSide& side) {
    TestClient declared("127.0.0.1", side.port());
    ASSERT_TRUE(declared.send("POST / HTTP/1.1\r\nContent-Length: 70000\r\n\r\n"));
    declared.send(std::string(70000, 'x'));  // the server may have closed already
    expect_final_error(declared, 413);

    TestClient streamed("127.0.0.1", side.port());
    streamed.send("GET / HTTP/1.1\r\nX-Big: " + std::string(70000, 'y') + "\r\n\r\n");
    expect_final_error(streamed, 413);
  });
}

TEST_F(HttpServerTest, GarbageGets400AndClose) {
  serve(echo, [](ClientSide& side) {
    for (std::string garbage : {std::string("\x16\x03\x01\x00\xff garbage\r\n\r\n"),
                                std::string("GET / HTTP/1.1\r\nno colon here\r\n\r\n")}) {
      TestClient client("127.0.0.1", side.port());
      ASSERT_TRUE(client.send(garbage));
      expect_final_error(client, 400);
    }
  });
}

TEST_F(HttpServerTest, OtherMethodsGet405) {
  serve(echo, [](ClientSide& side) {
    TestClient known("127.0.0.1", side.port());
    ASSERT_TRUE(known.send("DELETE /x HTTP/1.1\r\nContent-Length: 2\r\n\r\nabGET /after HTTP/1.1\r\n\r\n"));
    auto response = known.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->status, 405);
    EXPECT_EQ(response->headers["allow"], "GET, HEAD, POST");
    EXPECT_EQ(response->headers["connection"], "keep-alive");
    response = known.read_response();
    ASSERT_TRUE(response);
    EXPECT_EQ(response->body, "GET /after? ");

    TestClient unknown("127.0.0.1", side.port());
    ASSERT_TRUE(unknown.send("BREW /pot HTTP/1.1\r\n\r\n"));
    expect_final_error(unknown, 405);
  });
}

TEST_F(HttpServerTest, HandlerExceptionGets500) {
  serve([](const Request&) -> Response { throw std::runtime_error("boom"); },
        [](ClientSide& side) {
          TestClient client("127.0.0.1", side.port());
          ASSERT_TRUE(client.send("GET / HTTP/1.1\r\n\r\n"));
          auto response = client.read_response();
          ASSERT_TRUE(response);
          EXPECT_EQ(response->status, 500);
        });
}

TEST_F(HttpServerTest, ClientThatDoesNotReadIsPausedThenServedInOrder) {
  const std::string big(200 * 1024, 'b');
  serve(
      [&](const Request& request) { return Response{.status = 200, .body = request.path + big}; },
      [&](ClientSide& side) {
        TestClient client("127.0.0.1", side.port());
        std::string requests;
        for (int i = 0; i < 20; ++i) requests += "GET /" + std::to_string(i) + " HTTP/1.1\r\n\r\n";
        ASSERT_TRUE(client.send(requests));
        for (int i = 0; i < 20; ++i) {
          auto response = client.read_response();
          ASSERT_TRUE(response) << i;
          EXPECT_EQ(response->body, "/" + std::to_string(i) + big) << i;
        }
      },
      Limits{.max_pending_write_bytes = 1});  // pause after every response that is not sent at once
}

TEST_F(HttpServerTest, CloseWithOpenClientConnectionsCompletes) {
  serve(echo, [](ClientSide& side) {
    TestClient served("127.0.0.1", side.port());
    ASSERT_TRUE(served.send("GET / HTTP/1.1\r\n\r\n"));
    ASSERT_TRUE(served.read_response());
    TestClient partial("127.0.0.1", side.port());
    ASSERT_TRUE(partial.send("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"));
    TestClient silent("127.0.0.1", side.port());
    ASSERT_TRUE(silent.connected());
    side.close_server();
    EXPECT_TRUE(served.closed_by_server());
    EXPECT_TRUE(partial.closed_by_server());
    EXPECT_TRUE(silent.closed_by_server());
  });
}

TEST_F(HttpServerTest, ConnectionsOverTheLimitGet503) {
  serve(
      echo,
      [](ClientSide& side) {
        TestClient first("127.0.0.1", side.port());
        ASSERT_TRUE(first.send("GET / HTTP/1.1\r\n\r\n"));
        ASSERT_TRUE(first.read_response());  // accepted and served
        TestClient second("127.0.0.1", side.port());
        expect_final_error(second, 503);
        ASSERT_TRUE(first.send("GET /still HTTP/1.1\r\n\r\n"));
        auto response = first.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->status, 200);
      },
      Limits{.max_connections = 1});
}

TEST_F(HttpServerTest, IdleConnectionIsClosed) {
  serve(
      echo,
      [](ClientSide& side) {
        TestClient client("127.0.0.1", side.port());
        ASSERT_TRUE(client.send("GET / HTTP/1.1\r\n\r\n"));
        ASSERT_TRUE(client.read_response());
        EXPECT_TRUE(client.closed_by_server());
      },
      Limits{.idle_timeout_ms = 50});
}

TEST_F(HttpServerTest, ServesIpv6) {
  // Probe first: a sandbox may have no IPv6 loopback.
  {
    HttpServer probe(&loop_, Logger(), echo);
    const bool ok = probe.listen("::1", 0).has_value();
    probe.close([] {});
    uv_run(&loop_, UV_RUN_DEFAULT);
    if (!ok) GTEST_SKIP() << "no IPv6 loopback";
  }
  serve(
      echo,
      [](ClientSide& side) {
        TestClient client("::1", side.port());
        ASSERT_TRUE(client.connected());
        ASSERT_TRUE(client.send("GET /six HTTP/1.1\r\n\r\n"));
        auto response = client.read_response();
        ASSERT_TRUE(response);
        EXPECT_EQ(response->body, "GET /six? ");
      },
      Limits{}, "[::1]");
}

TEST_F(HttpServerTest, ListenErrorsNameTheirCause) {
  HttpServer first(&loop_, Logger(), echo);
  ASSERT_TRUE(first.listen("127.0.0.1", 0));
  HttpServer second(&loop_, Logger(), echo);
  auto in_use = second.listen("127.0.0.1", first.port());
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error(), std::errc::address_in_use) << in_use.error().message();
  auto again = first.listen("127.0.0.1", 0);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), HttpError::kAlreadyListening);
  HttpServer third(&loop_, Logger(), echo);
  auto bad = third.listen("not-an-address", 0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), HttpError::kInvalidBindAddress);
  int closed = 0;
  for (HttpServer* server : {&first, &second, &third}) server->close([&] { ++closed; });
  uv_run(&loop_, UV_RUN_DEFAULT);
  EXPECT_EQ(closed, 3);
}

}  // namespace
}  // namespace grouter::http
