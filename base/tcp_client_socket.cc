// Resolve and connect for the libuv clients.
#include "base/tcp_client_socket.h"

#include <cassert>
#include <utility>

namespace grouter {
namespace {

// "[::1]" → "::1"; other hosts unchanged.
std::string bare_host(const std::string& host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    return host.substr(1, host.size() - 2);
  }
  return host;
}

}  // namespace

TcpClientSocket::TcpClientSocket(uv_loop_t* loop, void* owner) : loop_(loop), owner_(owner) {
  resolve_.data = this;
  connect_request_.data = this;
}

TcpClientSocket::~TcpClientSocket() {
  // close() and its callback must come first (STYLE.md, handle lifetime).
  assert(closed_ || (!resolving_ && !connecting_ && !tcp_open_));
}

void TcpClientSocket::connect(const std::string& host, std::uint16_t port,
                              ConnectCallback on_connected) {
  assert(!closing_ && !on_connected_);
  on_connected_ = std::move(on_connected);
  const std::string bare = bare_host(host);
  sockaddr_storage address{};
  if (uv_ip4_addr(bare.c_str(), port, reinterpret_cast<sockaddr_in*>(&address)) == 0 ||
      uv_ip6_addr(bare.c_str(), port, reinterpret_cast<sockaddr_in6*>(&address)) == 0) {
    start(reinterpret_cast<const sockaddr*>(&address));
    return;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  const std::string service = std::to_string(port);
  const int rc = uv_getaddrinfo(
      loop_, &resolve_,
      [](uv_getaddrinfo_t* request, int status, addrinfo* result) {
        static_cast<TcpClientSocket*>(request->data)->on_resolved(status, result);
      },
      bare.c_str(), service.c_str(), &hints);
  if (rc != 0) {
    finish(rc, "cannot resolve");
    return;
  }
  resolving_ = true;
}

void TcpClientSocket::on_resolved(int status, addrinfo* result) {
  resolving_ = false;
  if (closing_ || status != 0 || result == nullptr) {
    if (result != nullptr) uv_freeaddrinfo(result);
    if (closing_) {
      maybe_closed();
    } else {
      finish(status != 0 ? status : UV_EAI_NONAME, "cannot resolve");
    }
    return;
  }
  start(result->ai_addr);
  uv_freeaddrinfo(result);
}

void TcpClientSocket::start(const sockaddr* address) {
  uv_tcp_init(loop_, &tcp_);
  tcp_.data = owner_;
  tcp_open_ = true;
  uv_tcp_nodelay(&tcp_, 1);
  const int rc =
      uv_tcp_connect(&connect_request_, &tcp_, address, [](uv_connect_t* request, int status) {
        static_cast<TcpClientSocket*>(request->data)->on_connect(status);
      });
  if (rc != 0) {
    finish(rc, "connect");
    return;
  }
  connecting_ = true;
}

void TcpClientSocket::on_connect(int status) {
  connecting_ = false;
  if (closing_) {  // cancelled by close()
    maybe_closed();
    return;
  }
  finish(status, "connect");
}

void TcpClientSocket::finish(int status, const char* step) {
  auto callback = std::exchange(on_connected_, nullptr);
  if (callback) callback(status, step);
}

void TcpClientSocket::close(std::function<void()> on_closed) {
  assert(!closing_ && "TcpClientSocket::close called twice");
  closing_ = true;
  on_closed_ = std::move(on_closed);
  on_connected_ = nullptr;
  if (resolving_) uv_cancel(reinterpret_cast<uv_req_t*>(&resolve_));
  if (tcp_open_) {
    tcp_.data = this;  // the owner reads no more: the close callback finds the socket
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* handle) {
      auto* self = static_cast<TcpClientSocket*>(handle->data);
      self->tcp_open_ = false;
      self->maybe_closed();
    });
  }
  maybe_closed();
}

void TcpClientSocket::maybe_closed() {
  if (!closing_ || closed_ || resolving_ || connecting_ || tcp_open_) return;
  closed_ = true;
  auto callback = std::exchange(on_closed_, nullptr);
  if (callback) callback();  // the last thing: it may destroy this object
}

}  // namespace grouter
