// grouter's own statements.
#include "routing/internal_query.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/result_set.h"

namespace grouter::routing {

namespace wire = grouter::mysql_wire;

std::vector<std::uint8_t> query_frame(const std::string& sql) {
  std::vector<std::uint8_t> payload;
  payload.reserve(sql.size() + 1);
  payload.push_back(wire::command_byte(wire::Command::kQuery));
  payload.insert(payload.end(), sql.begin(), sql.end());
  std::vector<std::uint8_t> frame;
  std::uint8_t sequence_id = 0;
  wire::append_frames(frame, sequence_id, payload);
  return frame;
}

std::optional<std::string> first_value(const std::vector<std::vector<std::uint8_t>>& payloads,
                                       std::uint32_t capabilities) {
  if (payloads.empty() || payloads[0].empty() || payloads[0][0] == 0xff) return std::nullopt;
  const std::size_t row = (capabilities & wire::capability::kDeprecateEof) != 0 ? 2 : 3;
  if (payloads.size() <= row) return std::nullopt;
  auto decoded = wire::decode_text_row(payloads[row], 1);
  if (!decoded || decoded->values.empty()) return std::nullopt;
  return decoded->values[0];
}

std::string sql_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "'";
}

std::uint64_t gtid_sequence(const std::string& gtid) {
  const std::size_t dash = gtid.rfind('-');
  if (dash == std::string::npos) return 0;
  std::uint64_t seq = 0;
  const char* begin = gtid.data() + dash + 1;
  const char* end = gtid.data() + gtid.size();
  const char* comma = std::find(begin, end, ',');
  std::from_chars(begin, comma, seq);
  return seq;
}

namespace {

// "d-s-n,d-s-n" -> domain -> sequence; nullopt when an item is not three numbers.
std::optional<std::map<std::uint32_t, std::uint64_t>> domains_of(std::string_view text) {
  std::map<std::uint32_t, std::uint64_t> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\n')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\n')) item.remove_suffix(1);
    if (item.empty()) continue;
    std::uint32_t domain = 0;
    std::uint32_t server = 0;
    std::uint64_t seq = 0;
    const char* p = item.data();
    const char* end = item.data() + item.size();
    auto a = std::from_chars(p, end, domain);
    if (a.ec != std::errc{} || a.ptr == end || *a.ptr != '-') return std::nullopt;
    auto b = std::from_chars(a.ptr + 1, end, server);
    if (b.ec != std::errc{} || b.ptr == end || *b.ptr != '-') return std::nullopt;
    auto c = std::from_chars(b.ptr + 1, end, seq);
    if (c.ec != std::errc{} || c.ptr != end) return std::nullopt;
    out[domain] = std::max(out[domain], seq);
  }
  return out;
}

}  // namespace

bool gtid_position_covers(const std::string& have, const std::string& need) {
  const auto needed = domains_of(need);
  const auto had = domains_of(have);
  if (!needed || !had) return false;
  for (const auto& [domain, seq] : *needed) {
    auto it = had->find(domain);
    if (it == had->end() || it->second < seq) return false;
  }
  return true;
}

}  // namespace grouter::routing
