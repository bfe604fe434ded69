// Server-Sent Events framing (the WHATWG HTML standard's text/event-stream): events, comments and
// the reconnection delay as bytes for a ResponseStream, and the Last-Event-ID a client sends when
// it reconnects. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grouter::http {

// "event: TYPE\nid: ID\ndata: ...\n\n". DATA's lines (split at LF, CR LF or CR) each get their own
// "data:" line, so a line break cannot end the event early; CR and LF in TYPE are dropped.
[[nodiscard]] std::string sse_event(std::string_view type, uint64_t id, std::string_view data);
// ": TEXT\n\n" (a comment: clients ignore it; it keeps the connection busy). Line breaks become
// spaces.
[[nodiscard]] std::string sse_comment(std::string_view text);
// "retry: MS\n\n": how long a client waits before it reconnects.
[[nodiscard]] std::string sse_retry(uint64_t delay_ms);
// The id of a Last-Event-ID header: decimal digits only, else nullopt.
[[nodiscard]] std::optional<uint64_t> parse_last_event_id(std::string_view value);

}  // namespace grouter::http
