// The scripted fake MySQL server of the SQL client's fault tests.
#include "tests/unit/sql/fake_server.h"

#include "protocol/mysql_wire/frame.h"

namespace grouter::metadata::sql::testing {

namespace wire = grouter::mysql_wire;

FakeServer::FakeServer(uv_loop_t* loop, const std::string& host, std::vector<Step> script)
    : loop_(loop), script_(script.begin(), script.end()) {
  uv_tcp_init(loop_, &listener_);
  listener_.data = this;
  ++open_handles_;
  sockaddr_storage address{};
  if (uv_ip4_addr(host.c_str(), 0, reinterpret_cast<sockaddr_in*>(&address)) != 0 &&
      uv_ip6_addr(host.c_str(), 0, reinterpret_cast<sockaddr_in6*>(&address)) != 0) {
    return;
  }
  if (uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&address), 0) != 0) return;
  const int rc =
      uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), 4, [](uv_stream_t* server, int status) {
        if (status == 0) static_cast<FakeServer*>(server->data)->on_connection();
      });
  if (rc != 0) return;
  int size = sizeof address;
  uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&address), &size);
  port_ = address.ss_family == AF_INET
              ? ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port)
              : ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  listening_ = true;
}

void FakeServer::on_connection() {
  if (client_open_ || open_handles_ == 0) return;  // one client per script
  uv_tcp_init(loop_, &client_);
  client_.data = this;
  ++open_handles_;
  client_open_ = true;
  if (uv_accept(reinterpret_cast<uv_stream_t*>(&listener_),
                reinterpret_cast<uv_stream_t*>(&client_)) != 0) {
    close_client();
    return;
  }
  uv_read_start(
      reinterpret_cast<uv_stream_t*>(&client_),
      [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
        auto* self = static_cast<FakeServer*>(handle->data);
        buf->base = self->read_buffer_.data();
        buf->len = self->read_buffer_.size();
      },
      [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
        static_cast<FakeServer*>(stream->data)->on_read(nread, buf);
      });
  play();
}

void FakeServer::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (nread < 0) {
    close_client();
    return;
  }
  input_.insert(input_.end(), buf->base, buf->base + nread);
  play();
}

void FakeServer::play() {
  while (client_open_ && !script_.empty()) {
    Step& step = script_.front();
    switch (step.kind) {
      case Step::Kind::kSend: {
        // The bytes live in a heap copy until the write completes.
        auto* bytes = new std::vector<std::uint8_t>(std::move(step.bytes));
        auto* request = new uv_write_t;
        request->data = bytes;
        uv_buf_t b = uv_buf_init(reinterpret_cast<char*>(bytes->data()),
                                 static_cast<unsigned int>(bytes->size()));
        uv_write(request, reinterpret_cast<uv_stream_t*>(&client_), &b, 1, [](uv_write_t* r, int) {
          delete static_cast<std::vector<std::uint8_t>*>(r->data);
          delete r;
        });
        break;
      }
      case Step::Kind::kAwaitPacket: {
        auto frame = wire::decode_frame(input_);
        if (!frame) return;  // wait for more bytes
        received_.emplace_back(frame->payload.begin(), frame->payload.end());
        input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(frame->size()));
        break;
      }
      case Step::Kind::kClose:
        script_.pop_front();
        close_client();
        return;
    }
    script_.pop_front();
  }
}

void FakeServer::close_client() {
  if (!client_open_) return;
  client_open_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&client_),
           [](uv_handle_t* handle) { --static_cast<FakeServer*>(handle->data)->open_handles_; });
}

void FakeServer::close() {
  close_client();
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_),
             [](uv_handle_t* handle) { --static_cast<FakeServer*>(handle->data)->open_handles_; });
  }
}

FakeServer::Step send_packet(std::uint8_t sequence_id, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> bytes;
  wire::append_frames(bytes, sequence_id, payload);
  return {FakeServer::Step::Kind::kSend, std::move(bytes)};
}

FakeServer::Step send_raw(std::vector<std::uint8_t> bytes) {
  return {FakeServer::Step::Kind::kSend, std::move(bytes)};
}

FakeServer::Step await_packet() {
  return {FakeServer::Step::Kind::kAwaitPacket, {}};
}

FakeServer::Step close_connection() {
  return {FakeServer::Step::Kind::kClose, {}};
}

}  // namespace grouter::metadata::sql::testing
