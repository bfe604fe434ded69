// Incremental HTTP/1.x request parser over http_parser: bytes in, at most one complete Request out per
// call, so that pipelined requests are answered one at a time and in order. Bounds each request (head +
// body) by max_request_bytes and stops reading as soon as a request is known to be over it.
// Pure: no I/O, no clock. One per connection, used on one thread; neither copied nor moved (http_parser
// points back at it). After an error it must not be used again: the connection answers and closes.
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <http_parser.h>

#include "router/http/http_types.h"

namespace grouter::http {

class RequestParser {
 public:
  struct Step {
    std::size_t consumed = 0;        // bytes of the input used; the caller drops them
    std::optional<Request> request;  // set when a request ended inside the consumed bytes
    bool keep_alive = false;         // with a request: whether the connection may carry another
  };

  explicit RequestParser(std::size_t max_request_bytes);
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  // Parses `input` until one request is complete or the input is used up (then consumed == size).
  // Errors: HttpError::kMalformedRequest, kRequestTooLarge, kMethodNotAllowed.
  [[nodiscard]] std::expected<Step, std::error_code> parse(std::string_view input);

 private:
  static RequestParser& self(http_parser* p) { return *static_cast<RequestParser*>(p->data); }
  static int on_message_begin(http_parser* p);
  static int on_url(http_parser* p, const char* at, std::size_t length);
  static int on_header_field(http_parser* p, const char* at, std::size_t length);
  static int on_header_value(http_parser* p, const char* at, std::size_t length);
  static int on_headers_complete(http_parser* p);
  static int on_body(http_parser* p, const char* at, std::size_t length);
  static int on_message_complete(http_parser* p);
  static const http_parser_settings kSettings;

  bool split_target();

  http_parser parser_{};
  const std::size_t max_request_bytes_;
  std::size_t message_bytes_ = 0;  // consumed since the current request began
  std::size_t head_bytes_ = 0;     // target and header bytes of the current request
  Request current_;
  std::string target_;
  bool in_header_value_ = false;
  std::error_code callback_error_;  // why a callback stopped the parser
  std::optional<Request> complete_;
  bool complete_keep_alive_ = false;
  bool failed_ = false;
};

}  // namespace grouter::http
