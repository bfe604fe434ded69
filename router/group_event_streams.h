// GET /api/v1/group/events: the group's events as Server-Sent Events (http/sse.h) for the status
// page and for anyone with curl. Each stream starts with the reconnection delay, the kept history
// (after the client's Last-Event-ID when it sends one) and a "state" snapshot; then it gets every
// new event ("group": a GroupEvent as JSON, id = its id), a "state" snapshot (the status page's
// whole view, id = the last event's id) whenever the group's state changes and every
// state_interval_ms, and a heartbeat comment every heartbeat_ms. New events are looked for every
// tick_ms on the control loop (GroupService::events_since).
//
// Bounds: at most max_streams at once (more are answered 503); a stream whose client reads too
// slowly gets no snapshot while more than skip_state_bytes wait unsent, and is closed (counted in
// Stats::dropped) when an event would pass the connection's max_stream_queue_bytes: the client
// reconnects and catches up from its Last-Event-ID.
//
// Threading: control loop only. Lifetime: owns a uv_timer_t, so it is neither copied nor moved;
// close() must be called, and its callback must have run, before it is destroyed. The
// GroupService, when given, must outlive it.
#pragma once

#include <uv.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/logging.h"
#include "metadata/group_service.h"
#include "router/http/http_types.h"
#include "router/http/responder.h"

namespace grouter {

class GroupEventStreams {
 public:
  struct Options {
    std::size_t max_streams = 16;
    uint64_t tick_ms = 200;
    uint64_t state_interval_ms = 1000;
    uint64_t heartbeat_ms = 15'000;
    uint64_t retry_ms = 2000;                 // the clients' reconnection delay
    std::size_t skip_state_bytes = 64 * 1024;  // unsent bytes above which a snapshot is skipped
  };
  struct Stats {
    uint64_t opened = 0;          // streams served
    uint64_t refused = 0;         // answered 503: max_streams were open
    uint64_t dropped = 0;         // closed: the client did not read its events
    uint64_t states_skipped = 0;  // snapshots not sent to a slow client
  };

  // GROUP: nullptr when no group is configured (only "state" snapshots are sent). SNAPSHOT: the
  // JSON text of a "state" event.
  GroupEventStreams(uv_loop_t* loop, Logger logger, const metadata::GroupService* group,
                    std::function<std::string()> snapshot, Options options);
  GroupEventStreams(const GroupEventStreams&) = delete;
  GroupEventStreams& operator=(const GroupEventStreams&) = delete;
  ~GroupEventStreams();

  // Answers REQUEST (GET or HEAD) with a stream, or 503 at max_streams.
  void open(const http::Request& request, const http::Responder& respond);
  // Closes every stream and the timer; ON_CLOSED runs once the timer is closed (at once when no
  // stream was ever opened). Later calls do nothing (their ON_CLOSED never runs).
  void close(std::function<void()> on_closed);

  [[nodiscard]] std::size_t stream_count() const { return streams_.size(); }
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  enum class State { kIdle, kTicking, kClosing, kClosed };

  static void on_tick(uv_timer_t* timer);
  void tick();
  void forget_closed();
  // Sends the events decided since the last tick to every stream.
  void send_new_events();
  void send_state(const std::shared_ptr<http::ResponseStream>& stream, const std::string& frame);
  // Sends FRAME, an event; closes the stream (dropped) when it cannot take it.
  bool send_event(const std::shared_ptr<http::ResponseStream>& stream, const std::string& frame);
  [[nodiscard]] std::string state_frame() const;

  uv_loop_t* const loop_;
  const Logger logger_;
  const metadata::GroupService* const group_;
  const std::function<std::string()> snapshot_;
  const Options options_;
  State state_ = State::kIdle;
  uv_timer_t timer_{};
  std::vector<std::shared_ptr<http::ResponseStream>> streams_;
  uint64_t last_event_id_ = 0;  // the newest event sent to every stream
  std::shared_ptr<const metadata::GroupState> last_state_;
  uint64_t last_state_ms_ = 0;
  uint64_t last_heartbeat_ms_ = 0;
  std::function<void()> on_closed_;
  Stats stats_;
};

// Prometheus text of the streams: open, served, refused and dropped streams, skipped snapshots.
[[nodiscard]] std::string render_event_stream_metrics(const GroupEventStreams& streams);

// A GroupEvent as the events stream and the status page show it.
[[nodiscard]] std::string group_event_json(const metadata::GroupEvent& event);

}  // namespace grouter
