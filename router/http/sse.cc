// Server-Sent Events framing: one "data:" line per line of data, comments, retry, Last-Event-ID.
#include "router/http/sse.h"

#include <charconv>

#include <fmt/format.h>

namespace grouter::http {
namespace {

std::string without_line_breaks(std::string_view text, char replacement) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\r' || c == '\n') {
      if (replacement != '\0') out.push_back(replacement);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::string sse_event(std::string_view type, uint64_t id, std::string_view data) {
  std::string out = fmt::format("event: {}\nid: {}\n", without_line_breaks(type, '\0'), id);
  std::size_t start = 0;
  while (true) {
    const std::size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out += data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += '\n';
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;  // CR LF
  }
  out += '\n';
  return out;
}

std::string sse_comment(std::string_view text) {
  return ": " + without_line_breaks(text, ' ') + "\n\n";
}

std::string sse_retry(uint64_t delay_ms) { return fmt::format("retry: {}\n\n", delay_ms); }

std::optional<uint64_t> parse_last_event_id(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  uint64_t id = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size()) return std::nullopt;
  return id;
}

}  // namespace grouter::http
