// AdminServer and its connections: libuv reads and writes around AdminProtocol.
#include "router/admin/admin_server.h"

#include <openssl/rand.h>

#include <array>
#include <cassert>
#include <random>
#include <utility>
#include <vector>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"

namespace grouter::admin {
namespace {

constexpr int kListenBacklog = 64;
constexpr std::size_t kReadBytes = 16 * 1024;
constexpr std::size_t kNonceBytes = 20;

// 20 random bytes in 1..127, as servers send them (no NUL inside the greeting's nonce).
std::vector<std::uint8_t> make_nonce() {
  std::vector<std::uint8_t> nonce(kNonceBytes);
  if (RAND_bytes(nonce.data(), static_cast<int>(nonce.size())) != 1) {
    std::random_device rd;
    for (auto& b : nonce) b = static_cast<std::uint8_t>(rd());
  }
  for (auto& b : nonce) b = static_cast<std::uint8_t>(1 + b % 127);
  return nonce;
}

std::string peer_host(uv_tcp_t* tcp) {
  sockaddr_storage address{};
  int length = sizeof(address);
  if (uv_tcp_getpeername(tcp, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char text[64] = {};
  if (address.ss_family == AF_INET6) {
    uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(&address), text, sizeof(text));
  } else {
    uv_ip4_name(reinterpret_cast<const sockaddr_in*>(&address), text, sizeof(text));
  }
  return text;
}

}  // namespace

// One client: owns a uv_tcp_t and a uv_timer_t (the login timeout); freed by the server once both
// close callbacks ran.
class AdminConnection final : public AdminSink {
 public:
  AdminConnection(AdminServer& server, std::uint32_t id) : server_(server), id_(id) {}
  ~AdminConnection() override = default;
  AdminConnection(const AdminConnection&) = delete;
  AdminConnection& operator=(const AdminConnection&) = delete;

  void open(uv_stream_t* listener, bool refuse) {
    uv_tcp_init(server_.loop(), &tcp_);
    uv_timer_init(server_.loop(), &timer_);
    tcp_.data = this;
    timer_.data = this;
    open_ = true;
    if (uv_accept(listener, stream()) != 0) return close();
    uv_tcp_nodelay(&tcp_, 1);
    if (refuse) {
      std::vector<std::uint8_t> payload;
      mysql_wire::append_err_payload(payload, {1040, "08004", "Too many connections"},
                                     mysql_wire::capability::kProtocol41);
      std::vector<std::uint8_t> frame;
      std::uint8_t sequence = 0;
      mysql_wire::append_frames(frame, sequence, payload);
      send(std::move(frame));
      end("too many admin sessions");
      return;
    }
    protocol_ = std::make_unique<AdminProtocol>(server_.executor(), server_.account(), *this, id_,
                                                make_nonce(), peer_host(&tcp_),
                                                server_.limits().max_packet_bytes);
    uv_timer_start(&timer_, &on_timer, server_.limits().login_timeout_ms, 0);
    protocol_->start();
    update_reading();
  }

  void close() {
    if (!open_) return;
    open_ = false;
    if (protocol_) *protocol_session_alive() = false;
    pending_closes_ = 2;
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &on_closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), &on_closed);
  }

  // AdminSink
  void send(std::vector<std::uint8_t> bytes) override {
    if (!open_ || bytes.empty()) return;
    auto write = std::make_unique<Write>();
    write->bytes = std::move(bytes);
    write->connection = this;
    write->req.data = write.get();
    const uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(write->bytes.data()),
                                     static_cast<unsigned>(write->bytes.size()));
    if (uv_write(&write->req, stream(), &buf, 1, &on_write) != 0) return close();
    pending_bytes_ += write->bytes.size();
    write.release();  // on_write takes it back
  }
  void end(const std::string& reason) override {
    if (!reason.empty() && reason != "COM_QUIT") {
      server_.logger().info("[admin] session {} ends: {}", id_, reason);
    }
    ending_ = true;
    if (pending_bytes_ == 0) close();
  }
  bool has_room() const override { return pending_bytes_ <= server_.limits().max_output_bytes; }

 private:
  struct Write {
    uv_write_t req{};
    std::vector<std::uint8_t> bytes;
    AdminConnection* connection = nullptr;
  };

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  std::shared_ptr<bool> protocol_session_alive() { return protocol_->session().alive; }

  void update_reading() {
    if (!open_ || ending_ || !protocol_) return;
    const bool want = protocol_->wants_input();
    if (want && !reading_) {
      reading_ = uv_read_start(stream(), &on_alloc, &on_read) == 0;
    } else if (!want && reading_) {
      uv_read_stop(stream());
      reading_ = false;
    }
  }

  static void on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    auto* self = static_cast<AdminConnection*>(handle->data);
    *buf = uv_buf_init(reinterpret_cast<char*>(self->read_buffer_.data()),
                       static_cast<unsigned>(self->read_buffer_.size()));
  }

  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    auto* self = static_cast<AdminConnection*>(stream->data);
    if (nread == 0) return;
    if (nread < 0) return self->close();  // EOF or error: nothing more to answer
    self->protocol_->on_bytes(std::span(reinterpret_cast<const std::uint8_t*>(buf->base),
                                        static_cast<std::size_t>(nread)));
    if (self->protocol_->authenticated()) uv_timer_stop(&self->timer_);
    self->update_reading();
  }

  static void on_write(uv_write_t* req, int status) {
    std::unique_ptr<Write> write(static_cast<Write*>(req->data));
    AdminConnection& self = *write->connection;
    self.pending_bytes_ -= write->bytes.size();
    if (!self.open_) return;
    if (status < 0) return self.close();
    if (self.ending_) {
      if (self.pending_bytes_ == 0) self.close();
      return;
    }
    if (self.protocol_ && self.has_room()) self.protocol_->resume();
    self.update_reading();
  }

  static void on_timer(uv_timer_t* timer) {
    auto* self = static_cast<AdminConnection*>(timer->data);
    self->server_.logger().info("[admin] session {} did not log in in time; closing", self->id_);
    self->close();
  }

  static void on_closed(uv_handle_t* handle) {
    auto* self = static_cast<AdminConnection*>(handle->data);
    if (--self->pending_closes_ > 0) return;
    self->protocol_.reset();
    self->server_.connection_closed(*self);  // frees *self: nothing may follow
  }

  AdminServer& server_;
  const std::uint32_t id_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};
  bool open_ = false;
  bool reading_ = false;
  bool ending_ = false;
  int pending_closes_ = 0;
  std::size_t pending_bytes_ = 0;
  std::unique_ptr<AdminProtocol> protocol_;
  std::array<std::uint8_t, kReadBytes> read_buffer_{};
};

AdminServer::AdminServer(uv_loop_t* loop, Logger logger, AdminExecutor& executor,
                         AdminAccount account, AdminLimits limits)
    : loop_(loop),
      logger_(std::move(logger)),
      executor_(executor),
      account_(std::move(account)),
      limits_(limits) {}

AdminServer::~AdminServer() {
  assert(state_ == State::kIdle || state_ == State::kClosed);
}

std::expected<void, std::string> AdminServer::listen(const std::string& bind_address,
                                                     std::uint16_t port) {
  sockaddr_storage address{};
  if (uv_ip4_addr(bind_address.c_str(), port, reinterpret_cast<sockaddr_in*>(&address)) != 0 &&
      uv_ip6_addr(bind_address.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address)) != 0) {
    return std::unexpected("bind_address '" + bind_address + "' is not an IP address");
  }
  uv_tcp_init(loop_, &listener_);
  listener_.data = this;
  state_ = State::kOpen;
  int status = uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&address), 0);
  if (status == 0) {
    status = uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), kListenBacklog, &on_connection);
  }
  if (status != 0) {
    return std::unexpected(bind_address + ":" + std::to_string(port) + ": " + uv_strerror(status));
  }
  return {};
}

std::uint16_t AdminServer::port() const {
  if (state_ != State::kOpen) return 0;
  sockaddr_storage address{};
  int length = sizeof(address);
  if (uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
}

void AdminServer::on_connection(uv_stream_t* listener, int status) {
  auto* self = static_cast<AdminServer*>(listener->data);
  if (status < 0 || self->state_ != State::kOpen) return;
  const bool refuse = self->connections_.size() >= self->limits_.max_connections;
  if (refuse)
    self->logger_.warning("[admin] {} sessions open: refusing another", self->connections_.size());
  auto owned = std::make_unique<AdminConnection>(*self, self->next_connection_id_++);
  AdminConnection& connection = *owned;
  self->connections_.emplace(&connection, std::move(owned));
  connection.open(listener, refuse);
}

void AdminServer::connection_closed(AdminConnection& connection) {
  connections_.erase(&connection);
  finish_close_if_done();
}

void AdminServer::close(std::function<void()> on_closed) {
  if (state_ == State::kIdle) {
    state_ = State::kClosed;
    on_closed();
    return;
  }
  state_ = State::kClosing;
  on_closed_ = std::move(on_closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&listener_), [](uv_handle_t* handle) {
    auto* self = static_cast<AdminServer*>(handle->data);
    self->listener_closed_ = true;
    self->finish_close_if_done();
  });
  std::vector<AdminConnection*> open;
  for (auto& [key, c] : connections_) open.push_back(c.get());
  for (AdminConnection* c : open) c->close();
}

void AdminServer::finish_close_if_done() {
  if (state_ != State::kClosing || !listener_closed_ || !connections_.empty()) return;
  state_ = State::kClosed;
  auto on_closed = std::exchange(on_closed_, nullptr);
  if (on_closed) on_closed();
}

}  // namespace grouter::admin
