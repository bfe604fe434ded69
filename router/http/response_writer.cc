// serialize_response(), serialize_stream_head() and the status phrases (http_parser's table).
#include "router/http/response_writer.h"

#include <http_parser.h>

#include <fmt/format.h>

namespace grouter::http {

namespace {

// Header text comes from handlers and may echo client input: CR and LF would split the response.
void append_header(std::string& out, std::string_view name, std::string_view value) {
  for (std::string_view part : {name, std::string_view(": "), value}) {
    for (char c : part) {
      if (c != '\r' && c != '\n') out.push_back(c);
    }
  }
  out += "\r\n";
}

}  // namespace

std::string_view reason_phrase(int status) {
  std::string_view phrase = http_status_str(static_cast<http_status>(status));
  return phrase == "<unknown>" ? "Unknown" : phrase;
}

namespace {

// Status line, the handler's headers and Content-Type.
std::string head_start(const Response& response) {
  const int status = (response.status >= 100 && response.status <= 599) ? response.status : 500;
  std::string out = fmt::format("HTTP/1.1 {} {}\r\n", status, reason_phrase(status));
  for (const auto& [name, value] : response.headers) append_header(out, name, value);
  append_header(out, "Content-Type", response.content_type);
  return out;
}

}  // namespace

std::string serialize_stream_head(const Response& head) {
  std::string out = head_start(head);
  append_header(out, "Connection", "close");
  out += "\r\n";
  return out;
}

std::string serialize_response(const Response& response, Framing framing) {
  std::string out = head_start(response);
  append_header(out, "Content-Length", fmt::format("{}", response.body.size()));
  append_header(out, "Connection", framing.keep_alive ? "keep-alive" : "close");
  out += "\r\n";
  if (!framing.head_request) out += response.body;
  return out;
}

Response error_response(int status) {
  return Response{.status = status, .body = fmt::format("{{\"error\":\"{}\"}}\n", reason_phrase(status))};
}

}  // namespace grouter::http
