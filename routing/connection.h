// One client connection of a pass-through route, as a small state machine on a worker loop:
//
//   accepted ── refuse (blocked host 1129 / max_connections 1040) ──────────────► refusing
//      │
//   connecting: try the planned destinations in turn, each within connect_timeout;
//      │        none reachable → refuse with 1429 ─────────────────────────────► refusing
//      │        (group routes first wait, up to destination_wait_timeout from the first try,
//      │        for a publication that gives them a member: waiting ⇄ connecting)
//   relaying: bytes both ways unchanged; one pending write per direction, and the side feeding it
//             stops being read until it drains (back-pressure); the handshake is watched until the
//             client is authenticated or client_connect_timeout expires ──────► closing
//             A terminated route (client_ssl_mode other than PASSTHROUGH) passes the bytes
//             through its SessionTerminator instead, which runs grouter's own handshake and TLS;
//             while a write is pending there, neither side is read.
//   refusing: grouter's greeting, the client's answer, the ERR (see refusal.h), then the client's
//             bytes dropped until it closes; all within client_connect_timeout ──────► closing
//   closing: every handle closed; the last close callback frees the connection.
//
// Ownership: the WorkerContext owns each Connection; it is neither copied nor moved, and it is
// freed only from the last close callback of its handles.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include "protocol/mysql_wire/err_packet.h"
#include "routing/handshake_tracker.h"
#include "routing/refusal.h"
#include "routing/route.h"
#include "routing/frame_buffer.h"
#include "routing/rw_splitter.h"
#include "routing/server_link.h"
#include "routing/terminator.h"
#include "routing/worker_context.h"

namespace grouter::routing {

class Connection {
 public:
  Connection(WorkerContext& context, std::shared_ptr<Route> route);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Accepts the pending client on LISTENER and starts the state machine. On failure the
  // connection closes itself (and is freed through the context).
  void start(uv_stream_t* listener);

  // Closes both sides now (worker shutdown).
  void close();

  // The route published new destinations (worker thread): a waiting client tries again; a
  // session whose server may no longer serve this route is closed.
  void on_destinations_changed();

 private:
  enum class State { kAccepted, kConnecting, kWaiting, kRelaying, kRefusing, kClosing };
  enum class Side { kClient, kServer };

  // One connect attempt to a destination; heap-allocated because a timed-out attempt's handle
  // must finish closing while the next attempt already runs.
  struct ServerAttempt {
    uv_tcp_t tcp{};
    uv_connect_t request{};
    Connection* owner = nullptr;
    std::size_t destination_index = 0;
  };
  struct PendingWrite {
    std::vector<char> data;
    std::vector<char> queued;  // output produced while data was being written (terminated routes)
    uv_write_t request{};
    bool active = false;
  };

  void refuse(std::uint16_t code, const char* sql_state, const std::string& message);
  void on_refusal_read(ssize_t nread, const uv_buf_t* buf);
  void answer_refusal();
  void write_to_client(const std::vector<std::uint8_t>& bytes);
  void begin_connect();
  void try_next_destination();
  void wait_for_destinations();
  void refuse_no_destination();
  const Destination& target(std::size_t index) const { return (*plan_.targets)[index]; }
  void connect_to(const sockaddr* address);
  void attempt_failed(const char* why, int status);
  void destination_failed(std::size_t index, const char* why, int status);
  void on_connected();
  void start_reading(Side side);
  void stop_reading(Side side);
  void on_read(Side from, ssize_t nread, const uv_buf_t* buf);
  void observe_handshake(Side from, const char* data, std::size_t size);
  void terminate_bytes(Side from, const char* data, std::size_t size);
  void send_terminated(TerminatorOutput& out);

  // access_mode = auto (connection_split.cc).
  void start_split();
  SplitterOutput split_plaintext(TerminatorOutput& out);
  void apply_split(SplitterOutput& out);
  bool execute_split(SplitterOutput& split);
  void open_secondary();
  void close_secondary();
  void dispose_link(std::unique_ptr<ServerLink>& link);
  void on_secondary_bytes(std::span<const std::uint8_t> bytes);
  void check_split_legs();
  void request_group_position();
  void lose_primary(const std::string& why);
  void open_primary();
  std::optional<LoginRequest> login_for(const Destination& target, std::string& why);
  void update_client_reading();
  void close_after_flush();
  void write_pending(Side to);
  void forward(Side to, const char* data, std::size_t size);
  void on_write_done(Side to, int status);
  void on_end_of_stream(Side from, ssize_t status);
  void record_connect_error(const char* why);
  void close_attempt(ServerAttempt* attempt);
  void close_handle(uv_handle_t* handle);
  void on_handle_closed();

  uv_stream_t* stream(Side side);
  PendingWrite& pending_to(Side side) { return side == Side::kClient ? to_client_ : to_server_; }

  static void on_connect_cb(uv_connect_t* request, int status);
  static void on_resolved_cb(uv_getaddrinfo_t* request, int status, addrinfo* result);
  static void on_alloc_cb(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_client_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_server_read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write_cb(uv_write_t* request, int status);

  WorkerContext& context_;
  const std::shared_ptr<Route> route_;
  State state_ = State::kAccepted;

  uv_tcp_t client_{};
  uv_timer_t handshake_timer_{};  // client_connect_timeout
  uv_timer_t connect_timer_{};    // connect_timeout of the current attempt
  ServerAttempt* server_ = nullptr;         // the attempt in flight, then the connected server
  uv_getaddrinfo_t* resolving_ = nullptr;   // a hostname lookup in flight
  int live_handles_ = 0;                    // handles and requests whose close/callback is due

  ConnectPlan plan_;
  std::size_t plan_position_ = 0;
  std::uint64_t wait_started_ms_ = 0;  // loop time of the first wait for destinations; 0: none
  Destination destination_;            // the server this session is relayed to
  HandshakeTracker tracker_;
  std::unique_ptr<SessionTerminator> terminator_;  // terminated routes, from on_connected()
  std::unique_ptr<RwSplitter> splitter_;           // access_mode = auto, once authenticated
  std::unique_ptr<ServerLink> secondary_;          // its secondary leg
  std::unique_ptr<ServerLink> primary_link_;       // its primary leg after a failover
  bool server_lost_ = false;      // the first server socket was given up (the primary moved)
  bool primary_opening_ = false;  // primary_link_ is logging in
  bool waiting_primary_ = false;  // no primary published yet: on_destinations_changed retries
  bool primary_deadline_armed_ = false;  // connect_timer_ bounds the wait for a new primary
  std::uint64_t failed_generation_ = 0;  // the publication whose primary refused the new leg
  std::string local_host_;        // grouter's address as the storage nodes see the session
  std::uint64_t members_wait_ = 0;                 // AFTER: the MemberWaiter request in flight
  std::uint64_t position_wait_ = 0;                // BEFORE on a member route: the group's position
  FrameBuffer client_frames_;
  FrameBuffer primary_frames_;
  FrameBuffer secondary_frames_;
  bool watching_handshake_ = true;
  bool admitted_ = false;
  bool close_after_flush_ = false;
  PendingWrite to_client_;
  PendingWrite to_server_;
  mysql_wire::ErrPacket refusal_{};  // what a refused client is answered
  RefusalExchange refusal_exchange_;
  bool refusal_answered_ = false;

  std::string client_host_;
  std::shared_ptr<ConnectionStats> stats_;
  std::uint64_t registry_id_ = 0;
};

}  // namespace grouter::routing
