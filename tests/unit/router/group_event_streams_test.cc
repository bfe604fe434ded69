// GET /api/v1/group/events (group_event_streams.h) over a real HttpServer and loopback sockets,
// with a fake GroupService: the opening (retry, history, snapshot), Last-Event-ID, new events and
// state changes on the next tick, the bound on streams, a client too slow for its events, and
// closing with no live handle on the loop (the fixture checks it).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "metadata/group_service.h"
#include "router/group_event_streams.h"
#include "server_fixture.h"
#include "test_client.h"

namespace grouter {
namespace {

using http::testing::ClientSide;
using http::testing::HttpServerTest;
using http::testing::TestClient;
using nlohmann::json;

// The state and the history only; the rest is never called here.
class EventsGroup final : public metadata::GroupService {
 public:
  std::shared_ptr<const metadata::GroupState> state() const override { return state_; }
  metadata::MonitorStats monitor_stats() const override { return {}; }
  std::vector<metadata::MemberProgress> member_progress() const override { return {}; }
  std::vector<metadata::GroupEvent> events_since(uint64_t after_id) const override {
    return history_.since(after_id);
  }
  void set_as_primary(const std::string&, metadata::SwitchoverDone) override {}
  void force_members(const std::vector<std::string>&, metadata::ForceDone) override {}
  void set_option(const std::string&, const std::string&, const std::string&,
                  metadata::OpDone) override {}
  void stop_member(const std::string&, metadata::OpDone) override {}
  void start_member(const std::string&, metadata::OpDone) override {}
  void bootstrap_group(const std::string&, metadata::OpDone) override {}
  std::vector<std::pair<std::string, std::string>> variables(const std::string&) const override {
    return {};
  }

  void add(const std::string& kind, const std::string& member, const std::string& reason) {
    history_.add(metadata::GroupEvent{.time_ms = 1'700'000'000'123, .kind = kind, .member = member,
                                      .view_id = "1:2", .reason = reason});
  }

  std::shared_ptr<const metadata::GroupState> state_ = std::make_shared<metadata::GroupState>();
  metadata::EventHistory history_;
};

struct Frame {
  std::string event;
  std::string id;
  std::string data;
};

// Reads the next frame that is not a comment or a retry.
std::optional<Frame> next_frame(TestClient& client) {
  while (true) {
    auto text = client.read_until("\n\n");
    if (!text) return std::nullopt;
    if (text->starts_with(":") || text->starts_with("retry:")) continue;
    Frame frame;
    std::size_t start = 0;
    while (start < text->size() - 1) {
      const std::size_t end = text->find('\n', start);
      const std::string line = text->substr(start, end - start);
      start = end + 1;
      if (line.starts_with("event: ")) frame.event = line.substr(7);
      if (line.starts_with("id: ")) frame.id = line.substr(4);
      if (line.starts_with("data: ")) frame.data += line.substr(6);
    }
    return frame;
  }
}

// A client that asked for the events (EXTRA: more header lines) and read the answer's head.
std::unique_ptr<TestClient> open_events(ClientSide& side, const std::string& extra = "") {
  auto client = std::make_unique<TestClient>("127.0.0.1", side.port());
  EXPECT_TRUE(client->send("GET /api/v1/group/events HTTP/1.1\r\n" + extra + "\r\n"));
  EXPECT_TRUE(client->read_head());
  return client;
}

class GroupEventStreamsTest : public HttpServerTest {
 protected:
  GroupEventStreams::Options fast() {
    GroupEventStreams::Options options;
    options.tick_ms = 20;
    options.state_interval_ms = 60'000;  // snapshots only when the state changes
    return options;
  }

  // Serves the streams of `group` while `client` runs, then closes the streams and the server.
  void serve_streams(EventsGroup& group, GroupEventStreams::Options options,
                     const std::function<void(ClientSide&, GroupEventStreams&)>& client,
                     http::Limits limits = {}) {
    int snapshots = 0;
    GroupEventStreams streams(&loop_, Logger(), &group, [&] {
      return json{{"snapshot", ++snapshots}}.dump();
    }, options);
    serve(
        http::AsyncHandler([&](const http::Request& request, http::Responder respond) {
          streams.open(request, respond);
        }),
        [&](ClientSide& side) {
          client(side, streams);
          side.on_loop([&] { streams.close([] {}); });
        },
        limits);
  }
};

TEST_F(GroupEventStreamsTest, OpensWithTheHistoryThenAState) {
  EventsGroup group;
  group.add("suspected", "node1", "no answer for 1500 ms");
  group.add("expelled", "node1", "unreachable");
  serve_streams(group, fast(), [&](ClientSide& side, GroupEventStreams&) {
    TestClient client("127.0.0.1", side.port());
    ASSERT_TRUE(client.send("GET /api/v1/group/events HTTP/1.1\r\n\r\n"));
    auto head = client.read_head();
    ASSERT_TRUE(head);
    EXPECT_EQ(head->headers["content-type"], "text/event-stream; charset=utf-8");
    EXPECT_EQ(client.read_until("\n\n"), "retry: 2000\n\n");
    auto first = next_frame(client);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->event, "group");
    EXPECT_EQ(first->id, "1");
    const json event = json::parse(first->data);
    EXPECT_EQ(event["kind"], "suspected");
    EXPECT_EQ(event["member"], "node1");
    EXPECT_EQ(event["view_id"], "1:2");
    EXPECT_EQ(event["reason"], "no answer for 1500 ms");
    EXPECT_EQ(event["time"], "2023-11-14T22:13:20.123000Z");
    EXPECT_EQ(next_frame(client)->id, "2");
    auto state = next_frame(client);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->event, "state");
    EXPECT_EQ(state->id, "2");
    EXPECT_TRUE(json::parse(state->data).contains("snapshot"));
  });
}

TEST_F(GroupEventStreamsTest, LastEventIdReplaysOnlyWhatFollows) {
  EventsGroup group;
  for (const char* kind : {"suspected", "expelled", "elected"}) group.add(kind, "node1", "");
  serve_streams(group, fast(), [&](ClientSide& side, GroupEventStreams&) {
    auto owned_client = open_events(side, "Last-Event-ID: 2\r\n");
    TestClient& client = *owned_client;
    auto frame = next_frame(client);
    ASSERT_TRUE(frame);
    EXPECT_EQ(frame->id, "3");
    EXPECT_EQ(json::parse(frame->data)["kind"], "elected");
    EXPECT_EQ(next_frame(client)->event, "state");
  });
}

TEST_F(GroupEventStreamsTest, NewEventsAndStateChangesArriveOnTheNextTick) {
  EventsGroup group;
  serve_streams(group, fast(), [&](ClientSide& side, GroupEventStreams& streams) {
    auto owned_client = open_events(side);
    TestClient& client = *owned_client;
    auto opening = next_frame(client);
    ASSERT_TRUE(opening);
    EXPECT_EQ(opening->event, "state");
    EXPECT_EQ(opening->id, "0");
    ASSERT_TRUE(side.wait_until([&] { return streams.stream_count() == 1; }));
    side.on_loop([&] {
      group.add("elected", "node2", "elected: lowest server uuid");
      auto next = std::make_shared<metadata::GroupState>();
      next->view_id.seq = 9;
      group.state_ = next;
    });
    auto event = next_frame(client);
    ASSERT_TRUE(event);
    EXPECT_EQ(event->event, "group");
    EXPECT_EQ(event->id, "1");
    EXPECT_EQ(json::parse(event->data)["member"], "node2");
    auto state = next_frame(client);
    ASSERT_TRUE(state);
    EXPECT_EQ(state->event, "state") << "a changed state is sent at once";
    EXPECT_EQ(state->id, "1");
  });
}

TEST_F(GroupEventStreamsTest, StreamsBeyondTheLimitAreAnswered503) {
  EventsGroup group;
  GroupEventStreams::Options options = fast();
  options.max_streams = 1;
  serve_streams(group, options, [&](ClientSide& side, GroupEventStreams& streams) {
    const auto first = open_events(side);  // held open
    TestClient second("127.0.0.1", side.port());
    ASSERT_TRUE(second.send("GET /api/v1/group/events HTTP/1.1\r\n\r\n"));
    auto refused = second.read_response();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
    EXPECT_NE(refused->body.find("too many event streams"), std::string::npos);
    side.on_loop([&] {
      EXPECT_EQ(streams.stats().refused, 1u);
      EXPECT_EQ(streams.stats().opened, 1u);
      const std::string metrics = render_event_stream_metrics(streams);
      EXPECT_NE(metrics.find("\ngrouter_event_streams 1\n"), std::string::npos) << metrics;
      EXPECT_NE(metrics.find("\ngrouter_event_streams_refused_total 1\n"), std::string::npos);
      EXPECT_NE(metrics.find("# TYPE grouter_event_streams_dropped_total counter\n"),
                std::string::npos);
    });
  });
}

TEST_F(GroupEventStreamsTest, ClientTooSlowForItsEventsIsDropped) {
  EventsGroup group;
  for (int i = 0; i < 20; ++i) group.add("note", "", std::string(200, 'x'));
  http::Limits limits;
  limits.max_stream_queue_bytes = 1024;  // less than the history: the replay cannot be queued
  serve_streams(
      group, fast(),
      [&](ClientSide& side, GroupEventStreams& streams) {
        TestClient client("127.0.0.1", side.port());
        ASSERT_TRUE(client.send("GET /api/v1/group/events HTTP/1.1\r\n\r\n"));
        EXPECT_TRUE(side.wait_until([&] { return streams.stats().dropped == 1; }));
        side.on_loop([&] {
          EXPECT_NE(render_event_stream_metrics(streams).find(
                        "\ngrouter_event_streams_dropped_total 1\n"),
                    std::string::npos);
        });
        EXPECT_EQ(streams.stream_count(), 0u);
        EXPECT_FALSE(client.read_until("id: 20\n")) << "the connection ends before the last event";
      },
      limits);
}

TEST_F(GroupEventStreamsTest, SnapshotsAreSkippedWhileAClientLagsBehind) {
  EventsGroup group;
  GroupEventStreams::Options options = fast();
  options.skip_state_bytes = 0;  // any unsent byte counts as lagging
  serve_streams(group, options, [&](ClientSide& side, GroupEventStreams& streams) {
    const auto client = open_events(side);  // held open
    EXPECT_TRUE(side.wait_until([&] { return streams.stats().states_skipped >= 1; }));
  });
}

TEST_F(GroupEventStreamsTest, ClosingEndsEveryStream) {
  EventsGroup group;
  serve_streams(group, fast(), [&](ClientSide& side, GroupEventStreams& streams) {
    auto owned_client = open_events(side);
    TestClient& client = *owned_client;
    ASSERT_TRUE(next_frame(client));
    side.on_loop([&] { streams.close([] {}); });
    EXPECT_FALSE(client.read_until("never")) << "the stream ends when the server closes it";
    // A request after closing is refused.
    TestClient late("127.0.0.1", side.port());
    ASSERT_TRUE(late.send("GET /api/v1/group/events HTTP/1.1\r\n\r\n"));
    auto refused = late.read_response();
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503);
  });
}

}  // namespace
}  // namespace grouter
