// Parsing of destination lists.
#include "routing/destination.h"

#include <charconv>

namespace grouter::routing {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::expected<std::uint16_t, std::string> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
    return std::unexpected("invalid port '" + std::string(text) + "' (expected 1-65535)");
  }
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string Destination::to_string() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::expected<Destination, std::string> parse_destination(std::string_view text) {
  text = trim(text);
  if (text.empty()) return std::unexpected("empty destination");
  Destination dest;
  std::string_view port_text;
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      return std::unexpected("missing ']' in '" + std::string(text) + "'");
    }
    dest.host = std::string(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::unexpected("expected ':' after ']' in '" + std::string(text) + "'");
      port_text = rest.substr(1);
      if (port_text.empty()) return std::unexpected("missing port in '" + std::string(text) + "'");
    }
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return std::unexpected("IPv6 address needs brackets: '" + std::string(text) + "'");
    }
    dest.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_text = text.substr(colon + 1);
      if (port_text.empty()) return std::unexpected("missing port in '" + std::string(text) + "'");
    }
  }
  if (dest.host.empty()) return std::unexpected("missing host in '" + std::string(text) + "'");
  for (char c : dest.host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_' || c == ':';
    if (!ok) return std::unexpected("invalid character in host '" + dest.host + "'");
  }
  if (!port_text.empty()) {
    auto port = parse_port(port_text);
    if (!port) return std::unexpected(port.error());
    dest.port = *port;
  }
  return dest;
}

std::expected<std::vector<Destination>, std::string> parse_destinations(std::string_view text) {
  std::vector<Destination> out;
  while (true) {
    auto comma = text.find(',');
    auto entry = parse_destination(text.substr(0, comma));
    if (!entry) return std::unexpected(entry.error());
    out.push_back(std::move(*entry));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace grouter::routing
