// RequestParser: http_parser callbacks fill one Request; the parser pauses at each message end.
#include "router/http/request_parser.h"

#include <algorithm>
#include <cassert>

#include "router/http/http_error.h"

namespace grouter::http {

namespace {

// Whether the input begins like "BREW /": a method http_parser does not know (405) rather than bytes
// that are not HTTP at all (400).
bool starts_with_method_token(std::string_view input) {
  const std::size_t start = input.find_first_not_of("\r\n");
  if (start == std::string_view::npos) return false;
  const std::size_t end = input.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ-_", start);
  return end != start && (end == std::string_view::npos || input[end] == ' ');
}

}  // namespace

const http_parser_settings RequestParser::kSettings = {
    .on_message_begin = &RequestParser::on_message_begin,
    .on_url = &RequestParser::on_url,
    .on_status = nullptr,
    .on_header_field = &RequestParser::on_header_field,
    .on_header_value = &RequestParser::on_header_value,
    .on_headers_complete = &RequestParser::on_headers_complete,
    .on_body = &RequestParser::on_body,
    .on_message_complete = &RequestParser::on_message_complete,
    .on_chunk_header = nullptr,
    .on_chunk_complete = nullptr,
};

RequestParser::RequestParser(std::size_t max_request_bytes) : max_request_bytes_(max_request_bytes) {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
}

std::expected<RequestParser::Step, std::error_code> RequestParser::parse(std::string_view input) {
  assert(!failed_);
  if (HTTP_PARSER_ERRNO(&parser_) == HPE_PAUSED) http_parser_pause(&parser_, 0);
  // Never hand the parser more than the request may still grow by, so a body over the limit is not
  // copied before it is refused.
  const std::size_t room = max_request_bytes_ - message_bytes_;
  const std::size_t offered = std::min(input.size(), room);
  const std::size_t parsed = http_parser_execute(&parser_, &kSettings, input.data(), offered);
  const auto error = HTTP_PARSER_ERRNO(&parser_);
  if (error != HPE_OK && error != HPE_PAUSED) {
    failed_ = true;
    if (callback_error_) return std::unexpected(callback_error_);
    if (error == HPE_INVALID_METHOD && starts_with_method_token(input)) {
      return std::unexpected(make_error_code(HttpError::kMethodNotAllowed));
    }
    return std::unexpected(make_error_code(HttpError::kMalformedRequest));
  }
  Step step;
  step.consumed = parsed;
  if (complete_) {
    message_bytes_ = 0;
    step.request = std::move(complete_);
    step.keep_alive = complete_keep_alive_;
    complete_.reset();
    return step;
  }
  message_bytes_ += parsed;
  if (parsed < offered || message_bytes_ >= max_request_bytes_) {
    // Either the parser stopped without a request (it only does so for an upgrade, which cannot end
    // here), or the request has used its whole allowance and still needs bytes.
    failed_ = true;
    if (parsed < offered) return std::unexpected(make_error_code(HttpError::kMalformedRequest));
    return std::unexpected(make_error_code(HttpError::kRequestTooLarge));
  }
  return step;
}

int RequestParser::on_message_begin(http_parser* p) {
  auto& s = self(p);
  s.current_ = Request{};
  s.target_.clear();
  s.head_bytes_ = 0;
  s.in_header_value_ = false;
  return 0;
}

int RequestParser::on_url(http_parser* p, const char* at, std::size_t length) {
  auto& s = self(p);
  s.target_.append(at, length);
  s.head_bytes_ += length;
  return 0;
}

int RequestParser::on_header_field(http_parser* p, const char* at, std::size_t length) {
  auto& s = self(p);
  // A name may arrive in several pieces; a new one starts after a value.
  if (s.in_header_value_ || s.current_.headers.empty()) s.current_.headers.emplace_back();
  s.in_header_value_ = false;
  s.current_.headers.back().first.append(at, length);
  s.head_bytes_ += length;
  return 0;
}

int RequestParser::on_header_value(http_parser* p, const char* at, std::size_t length) {
  auto& s = self(p);
  if (s.current_.headers.empty()) s.current_.headers.emplace_back();
  s.in_header_value_ = true;
  s.current_.headers.back().second.append(at, length);
  s.head_bytes_ += length;
  return 0;
}

int RequestParser::on_headers_complete(http_parser* p) {
  auto& s = self(p);
  s.current_.method = http_method_str(static_cast<http_method>(p->method));
  if (!s.split_target()) {
    s.callback_error_ = make_error_code(HttpError::kMalformedRequest);
    return -1;
  }
  if ((p->flags & F_CONTENTLENGTH) != 0) {
    const std::size_t room = s.max_request_bytes_ - std::min(s.head_bytes_, s.max_request_bytes_);
    if (p->content_length > room) {
      s.callback_error_ = make_error_code(HttpError::kRequestTooLarge);
      return -1;
    }
    s.current_.body.reserve(static_cast<std::size_t>(p->content_length));
  }
  return 0;
}

int RequestParser::on_body(http_parser* p, const char* at, std::size_t length) {
  self(p).current_.body.append(at, length);
  return 0;
}

int RequestParser::on_message_complete(http_parser* p) {
  auto& s = self(p);
  s.complete_ = std::move(s.current_);
  s.complete_keep_alive_ = http_should_keep_alive(p) != 0 && p->upgrade == 0;
  http_parser_pause(p, 1);  // one request per parse() call
  return 0;
}

bool RequestParser::split_target() {
  http_parser_url url;
  http_parser_url_init(&url);
  if (http_parser_parse_url(target_.data(), target_.size(), 0, &url) != 0) return false;
  auto field = [&](http_parser_url_fields f) {
    if ((url.field_set & (1u << f)) == 0) return std::string();
    return target_.substr(url.field_data[f].off, url.field_data[f].len);
  };
  current_.path = field(UF_PATH);
  current_.query = field(UF_QUERY);
  if (current_.path.empty()) current_.path = "/";  // "http://host" in absolute form
  return true;
}

}  // namespace grouter::http
