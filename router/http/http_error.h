// The HTTP module's error enum and category, and the status a connection answers each request error with.
#pragma once

#include <string>
#include <system_error>
#include <type_traits>

namespace grouter::http {

enum class HttpError {
  kMalformedRequest = 1,  // the bytes are not an HTTP/1.x request
  kRequestTooLarge,       // head + body over Limits::max_request_bytes
  kMethodNotAllowed,      // a method token the parser does not know
  kInvalidBindAddress,    // listen(): neither an IPv4 nor an IPv6 literal
  kAlreadyListening,      // listen() called a second time
};

const std::error_category& http_category();
std::error_code make_error_code(HttpError e);

// 413 for kRequestTooLarge, 405 for kMethodNotAllowed, 400 for anything else.
int status_for_request_error(std::error_code ec);

}  // namespace grouter::http

template <>
struct std::is_error_code_enum<grouter::http::HttpError> : std::true_type {};
