// Blocking loopback socket helpers shared by the routing tests that drive a real worker loop.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace grouter::routing::testing {

inline std::uint16_t local_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// A socket bound to 127.0.0.1 at a free port, listening when BACKLOG is not 0.
inline int loopback_socket(int backlog) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  if (backlog > 0) listen(fd, backlog);
  return fd;
}

// A port nobody listens on.
inline std::uint16_t closed_port() {
  const int fd = loopback_socket(0);
  const std::uint16_t port = local_port(fd);
  close(fd);
  return port;
}

// A client connected to 127.0.0.1:PORT whose reads give up after 10 s.
inline int connect_client(std::uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  return fd;
}

// Reads one whole packet (header and payload); an empty string when the peer closed first.
inline std::string read_packet(int fd) {
  unsigned char header[4];
  if (recv(fd, header, sizeof(header), MSG_WAITALL) != static_cast<ssize_t>(sizeof(header)))
    return {};
  const std::size_t size = header[0] | header[1] << 8 | header[2] << 16;
  std::string packet(reinterpret_cast<char*>(header), sizeof(header));
  packet.resize(sizeof(header) + size);
  if (size > 0 &&
      recv(fd, packet.data() + sizeof(header), size, MSG_WAITALL) != static_cast<ssize_t>(size)) {
    return {};
  }
  return packet;
}

// grouter's refusal as a client sees it (routing/refusal.h): its greeting (protocol version 10),
// then, after a 4.1 HandshakeResponse, an ERR with sequence id 2.
struct Refusal {
  int code = 0;  // 0: not a refusal
  std::string sql_state;
  std::string message;
};

// Answers a greeting already read (GREETING, a whole packet) as a 4.1 client and reads the ERR.
inline Refusal answer_refusal_greeting(int fd, const std::string& greeting) {
  if (greeting.size() < 5 || static_cast<unsigned char>(greeting[4]) != 10) return {};
  // Header; capabilities, max packet size, charset, filler; user ""; no auth data.
  std::string response(4 + 32 + 1 + 1, '\0');
  response[0] = static_cast<char>(response.size() - 4);
  response[3] = 1;
  response[4 + 1] = 0x02;  // kProtocol41 (bit 9)
  response[4 + 8] = 45;
  send(fd, response.data(), response.size(), MSG_NOSIGNAL);
  const std::string err = read_packet(fd);
  if (err.size() < 13 || static_cast<unsigned char>(err[4]) != 0xff || err[3] != 2 ||
      err[7] != '#') {
    return {};
  }
  return {static_cast<unsigned char>(err[5]) | static_cast<unsigned char>(err[6]) << 8,
          err.substr(8, 5), err.substr(13)};
}

inline Refusal read_refusal(int fd) {
  return answer_refusal_greeting(fd, read_packet(fd));
}

}  // namespace grouter::routing::testing
