// Waits, for AFTER consistency, until every ONLINE secondary of a route applied a write's GTID:
// one connection per storage node, logged in as cluster_user, running
// SELECT MASTER_GTID_WAIT(gtid, 1) for the highest GTID asked of that node; a reply of 0 answers
// every request up to it; -1 (a second passed) asks again, so that a node that leaves the
// ONLINE set stops counting within a second. A request is done when each node the route
// publishes as an ONLINE secondary at that moment applied its GTID.
//
// Also reads, for BEFORE consistency on a route to one member, the group's position: the
// primary's @@GLOBAL.gtid_binlog_pos, on a separate cluster_user link to the primary, by a query
// sent after the request arrived (requests arriving while one is in flight share the next).
//
// One per worker loop, shared by its sessions. Not thread-safe. Lifetime: close() and wait for its
// callback (every link closed) before destroying; pending requests are dropped unanswered then
// (their sessions are closing too).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "routing/frame_buffer.h"
#include "routing/route.h"
#include "routing/server_link.h"

namespace grouter::routing {

class MemberWaiter {
 public:
  MemberWaiter(uv_loop_t* loop, Logger logger);
  MemberWaiter(const MemberWaiter&) = delete;
  MemberWaiter& operator=(const MemberWaiter&) = delete;
  ~MemberWaiter();

  // Calls DONE once ROUTE's ONLINE secondaries applied GTID (at once when there is none). The id
  // cancels it.
  std::uint64_t wait(std::shared_ptr<Route> route, std::string gtid, std::function<void()> done);
  void cancel(std::uint64_t id);
  // Calls DONE with the primary's @@GLOBAL.gtid_binlog_pos read after this call, or with nullopt
  // and why when it cannot be read within TIMEOUT (no primary, a failed link). Cancel with
  // cancel().
  using PositionDone = std::function<void(std::optional<std::string>, const std::string&)>;
  std::uint64_t position(std::shared_ptr<Route> route, std::chrono::milliseconds timeout,
                         PositionDone done);
  // A route published a new view: requests may be done now.
  void on_view_changed();
  void close(std::function<void()> on_closed);

 private:
  struct Request {
    std::shared_ptr<Route> route;
    std::string gtid;
    std::uint64_t sequence = 0;
    std::function<void()> done;
  };
  struct Node {
    Destination destination;
    std::shared_ptr<Route> route;  // whose cluster login opens the link
    std::unique_ptr<ServerLink> link;
    bool ready = false;
    bool busy = false;
    std::uint64_t applied = 0;  // the highest GTID sequence known applied
    std::uint64_t asked = 0;    // the sequence of the wait in flight
    FrameBuffer frames;
    std::vector<std::vector<std::uint8_t>> reply;
    std::uint64_t failed_at_ms = 0;
    bool position = false;  // a link to the primary for its position, not for waits
  };
  struct PositionRequest {
    std::shared_ptr<Route> route;
    std::uint64_t deadline_ms = 0;
    Node* asked = nullptr;  // the node whose query in flight answers it
    PositionDone done;
  };

  Node& node_for(const std::shared_ptr<Route>& route, const Destination& destination,
                 bool position = false);
  void poll_positions();
  void answer_positions(Node& node, const std::optional<std::string>& value, const std::string& why);
  bool open_link(Node& node);
  void keep_ticking();
  void poll(Node& node);
  void on_bytes(Node& node, std::span<const std::uint8_t> bytes);
  void drop_link(Node& node);
  void settle();

  void tick();

  uv_loop_t* const loop_;
  const Logger logger_;
  uv_timer_t timer_{};  // while requests wait: re-polls nodes (reconnects after a failure)
  bool timer_open_ = false;
  std::map<std::uint64_t, Request> requests_;
  std::map<std::uint64_t, PositionRequest> positions_;
  std::map<std::string, std::unique_ptr<Node>> nodes_;  // by "host:port"
  std::uint64_t next_id_ = 1;
  int closing_links_ = 0;
  bool closing_ = false;
  std::function<void()> on_closed_;
};

}  // namespace grouter::routing
