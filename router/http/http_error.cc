// The "grouter.http" error category.
#include "router/http/http_error.h"

namespace grouter::http {

namespace {

class HttpCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "grouter.http"; }
  std::string message(int value) const override {
    switch (static_cast<HttpError>(value)) {
      case HttpError::kMalformedRequest: return "malformed HTTP request";
      case HttpError::kRequestTooLarge: return "HTTP request too large";
      case HttpError::kMethodNotAllowed: return "HTTP method not allowed";
      case HttpError::kInvalidBindAddress: return "bind address is not an IPv4 or IPv6 literal";
      case HttpError::kAlreadyListening: return "HTTP server is already listening";
    }
    return "unknown HTTP error";
  }
};

}  // namespace

const std::error_category& http_category() {
  static const HttpCategory category;  // immutable, as std::generic_category()
  return category;
}

std::error_code make_error_code(HttpError e) { return {static_cast<int>(e), http_category()}; }

int status_for_request_error(std::error_code ec) {
  if (ec == HttpError::kRequestTooLarge) return 413;
  if (ec == HttpError::kMethodNotAllowed) return 405;
  return 400;
}

}  // namespace grouter::http
