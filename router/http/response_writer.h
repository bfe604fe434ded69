// Serialises a Response into HTTP/1.1 bytes: status line, the handler's extra headers, then
// Content-Type, Content-Length and Connection, then the body (left out for HEAD, whose Content-Length
// still tells the body's size). Pure.
#pragma once

#include <string>
#include <string_view>

#include "router/http/http_types.h"

namespace grouter::http {

struct Framing {
  bool head_request = false;  // answer to HEAD: headers only
  bool keep_alive = true;     // "Connection: keep-alive", else "Connection: close"
};

[[nodiscard]] std::string serialize_response(const Response& response, Framing framing);

// The head of a streamed answer (responder.h): status line, extra headers, Content-Type and
// "Connection: close", without Content-Length (the body ends with the connection).
[[nodiscard]] std::string serialize_stream_head(const Response& head);

// "OK", "Not Found", ...; "Unknown" for a code without a standard phrase.
[[nodiscard]] std::string_view reason_phrase(int status);

// A small JSON error response: {"error":"<reason phrase>"}.
[[nodiscard]] Response error_response(int status);

}  // namespace grouter::http
