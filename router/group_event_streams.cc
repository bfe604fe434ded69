// GroupEventStreams: opening a stream (history, then a snapshot), the tick that sends new events,
// snapshots and heartbeats, the slow-client bounds, and closing.
#include "router/group_event_streams.h"

#include <cassert>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "router/http/sse.h"
#include "router/rest_api.h"

namespace grouter {

std::string group_event_json(const metadata::GroupEvent& event) {
  return nlohmann::json{{"id", event.id},
                        {"time", format_timestamp(event.time_ms * 1000)},
                        {"time_ms", event.time_ms},
                        {"kind", event.kind},
                        {"member", event.member},
                        {"member_id", event.member_id},
                        {"view_id", event.view_id},
                        {"reason", event.reason},
                        {"text", event.text}}
      .dump();
}

std::string render_event_stream_metrics(const GroupEventStreams& streams) {
  const GroupEventStreams::Stats& stats = streams.stats();
  std::string out;
  const auto line = [&out](const char* name, const char* type, const char* help, uint64_t value) {
    out += fmt::format("# HELP {0} {1}\n# TYPE {0} {2}\n{0} {3}\n", name, help, type, value);
  };
  line("grouter_event_streams", "gauge", "Open GET /api/v1/group/events streams.",
       streams.stream_count());
  line("grouter_event_streams_opened_total", "counter", "Events streams served.", stats.opened);
  line("grouter_event_streams_refused_total", "counter",
       "Events streams answered 503: the most were open.", stats.refused);
  line("grouter_event_streams_dropped_total", "counter",
       "Events streams closed because their client read too slowly.", stats.dropped);
  line("grouter_event_stream_states_skipped_total", "counter",
       "State snapshots not sent to a client that lagged behind.", stats.states_skipped);
  return out;
}

GroupEventStreams::GroupEventStreams(uv_loop_t* loop, Logger logger,
                                     const metadata::GroupService* group,
                                     std::function<std::string()> snapshot, Options options)
    : loop_(loop),
      logger_(std::move(logger)),
      group_(group),
      snapshot_(std::move(snapshot)),
      options_(options) {}

GroupEventStreams::~GroupEventStreams() {
  assert(state_ == State::kIdle || state_ == State::kClosed);
}

void GroupEventStreams::open(const http::Request& request, const http::Responder& respond) {
  forget_closed();
  if (state_ == State::kClosing || state_ == State::kClosed ||
      streams_.size() >= options_.max_streams) {
    ++stats_.refused;
    respond(json_response(503, nlohmann::json{{"error", "too many event streams (at most " +
                                                            std::to_string(options_.max_streams) +
                                                            ")"}}));
    return;
  }
  if (state_ == State::kIdle) {
    uv_timer_init(loop_, &timer_);  // cannot fail for a timer
    timer_.data = this;
    state_ = State::kTicking;
  }
  send_new_events();  // the open streams catch up first: the replay below ends where they are
  http::Response head{.status = 200, .content_type = "text/event-stream; charset=utf-8"};
  head.headers.emplace_back("Cache-Control", "no-store");
  std::shared_ptr<http::ResponseStream> stream = respond.stream(std::move(head));
  if (!stream || !stream->is_open()) return;  // HEAD, or the client went
  ++stats_.opened;
  stream->send(http::sse_retry(options_.retry_ms));
  const auto last_seen = http::parse_last_event_id(request.header("Last-Event-ID").value_or(""));
  if (group_ != nullptr) {
    for (const metadata::GroupEvent& event : group_->events_since(last_seen.value_or(0))) {
      if (event.id > last_event_id_) break;
      if (!send_event(stream, http::sse_event("group", event.id, group_event_json(event)))) return;
    }
  }
  send_state(stream, state_frame());
  if (!stream->is_open()) return;
  streams_.push_back(std::move(stream));
  if (uv_is_active(reinterpret_cast<uv_handle_t*>(&timer_)) == 0) {
    // The only stream has this state: the next snapshot is due when it changes or in an interval.
    last_state_ = group_ != nullptr ? group_->state() : nullptr;
    last_state_ms_ = uv_now(loop_);
    uv_timer_start(&timer_, &on_tick, options_.tick_ms, options_.tick_ms);
  }
}

void GroupEventStreams::on_tick(uv_timer_t* timer) {
  static_cast<GroupEventStreams*>(timer->data)->tick();
}

void GroupEventStreams::tick() {
  forget_closed();
  if (streams_.empty()) {
    uv_timer_stop(&timer_);
    return;
  }
  send_new_events();
  const uint64_t now = uv_now(loop_);
  auto state = group_ != nullptr ? group_->state() : nullptr;
  if (state != last_state_ || now - last_state_ms_ >= options_.state_interval_ms) {
    last_state_ = std::move(state);
    last_state_ms_ = now;
    const std::string frame = state_frame();
    for (const auto& stream : streams_) send_state(stream, frame);
  }
  if (now - last_heartbeat_ms_ >= options_.heartbeat_ms) {
    last_heartbeat_ms_ = now;
    const std::string frame = http::sse_comment("heartbeat");
    for (const auto& stream : streams_) send_event(stream, frame);
  }
  forget_closed();
}

void GroupEventStreams::forget_closed() {
  std::erase_if(streams_, [](const auto& stream) { return !stream->is_open(); });
}

void GroupEventStreams::send_new_events() {
  if (group_ == nullptr) return;
  for (const metadata::GroupEvent& event : group_->events_since(last_event_id_)) {
    last_event_id_ = event.id;
    const std::string frame = http::sse_event("group", event.id, group_event_json(event));
    for (const auto& stream : streams_) send_event(stream, frame);
  }
}

void GroupEventStreams::send_state(const std::shared_ptr<http::ResponseStream>& stream,
                                   const std::string& frame) {
  if (!stream->is_open()) return;
  if (stream->queued_bytes() > options_.skip_state_bytes) {
    ++stats_.states_skipped;  // the next one will do
    return;
  }
  send_event(stream, frame);
}

bool GroupEventStreams::send_event(const std::shared_ptr<http::ResponseStream>& stream,
                                   const std::string& frame) {
  if (!stream->is_open()) return false;
  if (stream->send(frame)) return true;
  ++stats_.dropped;
  logger_.warning("http: an events stream was closed: its client reads too slowly ({} bytes unsent)",
                  stream->queued_bytes());
  stream->close();
  return false;
}

std::string GroupEventStreams::state_frame() const {
  return http::sse_event("state", last_event_id_, snapshot_());
}

void GroupEventStreams::close(std::function<void()> on_closed) {
  if (state_ == State::kClosing || state_ == State::kClosed) return;
  const State was = state_;
  state_ = State::kClosing;
  for (const auto& stream : streams_) stream->close();
  streams_.clear();
  if (was != State::kTicking) {
    state_ = State::kClosed;
    on_closed();
    return;
  }
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* handle) {
    auto* self = static_cast<GroupEventStreams*>(handle->data);
    self->state_ = State::kClosed;
    auto done = std::move(self->on_closed_);
    done();  // may destroy *self: nothing may follow
  });
}

}  // namespace grouter
