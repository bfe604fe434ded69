// Creates listening TCP sockets for a route. Each worker loop gets its own socket on the same
// address with SO_REUSEPORT, so the kernel spreads new connections across workers.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace grouter::routing {

// Opens COUNT listening sockets on ADDRESS:PORT (numeric IPv4/IPv6 or a hostname). Before that it
// checks that no other process holds the port. The error names the address and the cause.
std::expected<std::vector<int>, std::string> open_listen_sockets(const std::string& address,
                                                                 std::uint16_t port,
                                                                 std::size_t count);

void close_sockets(const std::vector<int>& fds);

}  // namespace grouter::routing
