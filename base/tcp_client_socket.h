// A client TCP socket on a libuv loop, the one connector the libuv clients share: connect() to
// host:port (an IPv4 or IPv6 literal at once, "[::1]" too; a hostname through uv_getaddrinfo on
// libuv's thread pool first), with TCP_NODELAY; then stream() for the owner's reads and writes.
// No timer here: the owner bounds the connect with its own and close()s the socket when it passes.
//
// The handle's data pointer is the OWNER given at construction (read callbacks find the owner
// through it) until close(). ON_CONNECTED runs once, never after close(); it may call close().
//
// Lifetime (STYLE.md): not copied or moved; close() must be called and on_closed must have run
// before destruction. on_closed runs once the lookup, the connect request and the handle have all
// ended (before close() returns when nothing was started) and is the socket's last act. Not
// thread-safe: use it from its loop's thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <uv.h>

namespace grouter {

class TcpClientSocket {
 public:
  // STATUS 0: connected. Otherwise a libuv error and the STEP that failed ("cannot resolve",
  // "connect").
  using ConnectCallback = std::function<void(int status, const char* step)>;

  TcpClientSocket(uv_loop_t* loop, void* owner);
  TcpClientSocket(const TcpClientSocket&) = delete;
  TcpClientSocket& operator=(const TcpClientSocket&) = delete;
  TcpClientSocket(TcpClientSocket&&) = delete;
  TcpClientSocket& operator=(TcpClientSocket&&) = delete;
  ~TcpClientSocket();

  // Call at most once, before close(). ON_CONNECTED may run before connect() returns (a failure
  // to start the lookup or the connect).
  void connect(const std::string& host, std::uint16_t port, ConnectCallback on_connected);
  // The connected stream (data: the owner).
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  // Call once; ON_CLOSED runs when closed() turns true.
  void close(std::function<void()> on_closed);
  bool closing() const { return closing_; }  // close() was called
  bool closed() const { return closed_; }    // and everything it waited for has ended

 private:
  void on_resolved(int status, addrinfo* result);
  void start(const sockaddr* address);
  void on_connect(int status);
  void finish(int status, const char* step);
  void maybe_closed();

  uv_loop_t* const loop_;
  void* const owner_;
  uv_tcp_t tcp_{};
  uv_getaddrinfo_t resolve_{};
  uv_connect_t connect_request_{};
  bool resolving_ = false;   // the lookup's callback is due
  bool connecting_ = false;  // the connect request's callback is due
  bool tcp_open_ = false;    // the handle is initialised and its close callback not yet run
  bool closing_ = false;
  bool closed_ = false;
  ConnectCallback on_connected_;
  std::function<void()> on_closed_;
};

}  // namespace grouter
