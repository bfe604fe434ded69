// A static destination ("host:port") and the parser for MySQL Router's comma-separated lists.
// Pure: no I/O. Hostnames are resolved later, at connect time, by the connection.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace grouter::routing {

inline constexpr std::uint16_t kDefaultMysqlPort = 3306;

struct Destination {
  std::string host;  // IPv4, IPv6 (without brackets) or a hostname
  std::uint16_t port = kDefaultMysqlPort;

  // "host:port", with brackets around an IPv6 host.
  std::string to_string() const;
  friend bool operator==(const Destination&, const Destination&) = default;
};

// Parses "127.0.0.1:3306,[::1]:3307,db.example". A missing port means 3306. The error text says
// which entry is wrong and why.
std::expected<std::vector<Destination>, std::string> parse_destinations(std::string_view text);

// Parses one "host[:port]" entry (used for bind addresses too, where the port is optional).
std::expected<Destination, std::string> parse_destination(std::string_view text);

}  // namespace grouter::routing
