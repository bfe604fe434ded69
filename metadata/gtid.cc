// GTID position parsing and per-domain comparison.
#include "metadata/gtid.h"

#include <charconv>

namespace grouter::metadata {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

std::optional<Gtid> parse_gtid(std::string_view text) {
  const size_t first = text.find('-');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = text.find('-', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  Gtid gtid;
  if (!parse_number(text.substr(0, first), gtid.domain) ||
      !parse_number(text.substr(first + 1, second - first - 1), gtid.server_id) ||
      !parse_number(text.substr(second + 1), gtid.seq)) {
    return std::nullopt;
  }
  return gtid;
}

}  // namespace

std::string to_string(const Gtid& gtid) {
  return std::to_string(gtid.domain) + "-" + std::to_string(gtid.server_id) + "-" +
         std::to_string(gtid.seq);
}

std::optional<GtidPosition> parse_gtid_position(std::string_view text) {
  GtidPosition position;
  text = trim(text);
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    auto gtid = parse_gtid(item);
    if (!gtid || !position.domains.emplace(gtid->domain, *gtid).second) return std::nullopt;
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (trim(text).empty()) return std::nullopt;  // a trailing comma
  }
  return position;
}

std::string to_string(const GtidPosition& position) {
  std::string text;
  for (const auto& [domain, gtid] : position.domains) {
    if (!text.empty()) text += ',';
    text += to_string(gtid);
  }
  return text;
}

bool covers(const GtidPosition& a, const GtidPosition& b) {
  for (const auto& [domain, gtid] : b.domains) {
    auto it = a.domains.find(domain);
    if (it == a.domains.end() || it->second.seq < gtid.seq) return false;
  }
  return true;
}

GtidPosition merge_newest(const GtidPosition& a, const GtidPosition& b) {
  GtidPosition merged = a;
  for (const auto& [domain, gtid] : b.domains) {
    auto [it, inserted] = merged.domains.emplace(domain, gtid);
    if (!inserted && it->second.seq < gtid.seq) it->second = gtid;
  }
  return merged;
}

std::optional<std::string> errant_against(const GtidPosition& node, const GtidPosition& group) {
  for (const auto& [domain, gtid] : node.domains) {
    auto it = group.domains.find(domain);
    if (it == group.domains.end()) {
      return to_string(gtid) + " (the group has nothing in domain " + std::to_string(domain) + ")";
    }
    if (gtid.seq > it->second.seq || (gtid.seq == it->second.seq && !(gtid == it->second))) {
      return to_string(gtid) + " (the group has " + to_string(it->second) + ")";
    }
  }
  return std::nullopt;
}

std::optional<GtidState> parse_gtid_state(std::string_view text) {
  GtidState state;
  text = trim(text);
  while (!text.empty()) {
    const size_t comma = text.find(',');
    auto gtid = parse_gtid(trim(text.substr(0, comma)));
    if (!gtid || !state.pairs.emplace(std::pair{gtid->domain, gtid->server_id}, *gtid).second) {
      return std::nullopt;
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
    if (trim(text).empty()) return std::nullopt;
  }
  return state;
}

std::optional<std::string> errant_in_state(const GtidState& node, const GtidState& group) {
  for (const auto& [pair, gtid] : node.pairs) {
    auto it = group.pairs.find(pair);
    if (it == group.pairs.end()) {
      return to_string(gtid) + " (the group has nothing from server " + std::to_string(pair.second) +
             " in domain " + std::to_string(pair.first) + ")";
    }
    if (gtid.seq > it->second.seq) {
      return to_string(gtid) + " (the group has " + to_string(it->second) + " from server " +
             std::to_string(pair.second) + ")";
    }
  }
  return std::nullopt;
}

uint64_t transactions_behind(const GtidPosition& behind, const GtidPosition& ahead) {
  uint64_t total = 0;
  for (const auto& [domain, gtid] : ahead.domains) {
    auto it = behind.domains.find(domain);
    const uint64_t have = it == behind.domains.end() ? 0 : it->second.seq;
    if (gtid.seq > have) total += gtid.seq - have;
  }
  return total;
}

GtidPosition written_by(const GtidPosition& position, uint32_t server_id) {
  GtidPosition own;
  for (const auto& [domain, gtid] : position.domains) {
    if (gtid.server_id == server_id) own.domains.emplace(domain, gtid);
  }
  return own;
}

}  // namespace grouter::metadata
