// Blocking loopback socket helpers shared by the routing tests that drive a real worker loop.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>

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

}  // namespace grouter::routing::testing
