// Listening sockets with SO_REUSEPORT.
#include "routing/listen_socket.h"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace grouter::routing {
namespace {

constexpr int kBacklog = 1024;

struct Resolved {
  sockaddr_storage address{};
  socklen_t length = 0;
  int family = AF_INET;
};

std::expected<Resolved, std::string> resolve(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* result = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &result); rc != 0) {
    return std::unexpected("cannot resolve '" + host + "': " + gai_strerror(rc));
  }
  Resolved out;
  std::memcpy(&out.address, result->ai_addr, result->ai_addrlen);
  out.length = result->ai_addrlen;
  out.family = result->ai_family;
  freeaddrinfo(result);
  return out;
}

std::expected<int, std::string> bind_socket(const Resolved& where, bool reuse_port,
                                            const std::string& label) {
  int fd = socket(where.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(label + ": socket(): " + std::strerror(errno));
  int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (reuse_port) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on));
  if (bind(fd, reinterpret_cast<const sockaddr*>(&where.address), where.length) != 0) {
    std::string error = label + ": bind(): " + std::strerror(errno);
    close(fd);
    return std::unexpected(error);
  }
  return fd;
}

}  // namespace

std::expected<std::vector<int>, std::string> open_listen_sockets(const std::string& address,
                                                                 std::uint16_t port,
                                                                 std::size_t count) {
  const std::string label = address + ":" + std::to_string(port);
  auto where = resolve(address, port);
  if (!where) return std::unexpected(where.error());
  // A socket without SO_REUSEPORT fails to bind if anyone else already listens there, even
  // another process using SO_REUSEPORT: so a second grouter cannot silently share our port.
  auto probe = bind_socket(*where, false, label);
  if (!probe) return std::unexpected(probe.error());
  close(*probe);

  std::vector<int> fds;
  for (std::size_t i = 0; i < count; ++i) {
    auto fd = bind_socket(*where, true, label);
    if (fd && listen(*fd, kBacklog) != 0) {
      std::string error = label + ": listen(): " + std::strerror(errno);
      close(*fd);
      fd = std::unexpected(error);
    }
    if (!fd) {
      close_sockets(fds);
      return std::unexpected(fd.error());
    }
    fds.push_back(*fd);
  }
  return fds;
}

void close_sockets(const std::vector<int>& fds) {
  for (int fd : fds) close(fd);
}

}  // namespace grouter::routing
