// The values exchanged between the HTTP server and its handler, and the server's limits.
// Plain copyable values; no I/O. A Handler is called on the loop thread and must not block; it
// answers at once (an AsyncHandler, in responder.h, may answer later).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace grouter::http {

using Header = std::pair<std::string, std::string>;

struct Request {
  std::string method;           // "GET", "POST" or "HEAD" when it reaches a handler
  std::string path;             // the part of the target before '?', not percent-decoded
  std::string query;            // the part after '?' (without it); empty if there is none
  std::string body;             // as received (Content-Length or chunked), at most the request limit
  std::vector<Header> headers;  // in arrival order, names as the client spelled them

  // The value of the first header called `name` (ASCII case-insensitive), if there is one.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Extra headers. The server writes Content-Type, Content-Length and Connection itself.
  std::vector<Header> headers;
};

using Handler = std::function<Response(const Request&)>;

// Bounds on what one server holds; reaching one is answered (413, 503) or ends a connection.
struct Limits {
  std::size_t max_request_bytes = 64 * 1024;   // request head + body
  std::size_t max_connections = 256;           // served at once; one more is answered 503
  std::size_t max_rejecting_connections = 16;  // 503s in flight; beyond them a connection is just closed
  uint64_t idle_timeout_ms = 30'000;           // no bytes from the client for this long closes it
  uint64_t linger_timeout_ms = 2'000;          // after a final response, how long to drain the client
  std::size_t max_drain_bytes = 1024 * 1024;   // how much to read and discard while draining
  std::size_t max_pending_write_bytes = 1024 * 1024;  // unsent responses before reading pauses
  // Requests of one connection read but not yet answered (an AsyncHandler's pending ones and those
  // queued behind them); at the bound the connection stops reading until one is answered. While a
  // request waits, idle_timeout_ms still runs: an answer later than that finds the connection
  // closed.
  std::size_t max_pending_requests = 16;
  // A streamed answer's bytes queued and not yet written (responder.h's ResponseStream::send
  // refuses more). While some are queued and none is written for idle_timeout_ms, the connection
  // closes: a client that stops reading cannot hold a stream open.
  std::size_t max_stream_queue_bytes = 256 * 1024;
};

}  // namespace grouter::http
