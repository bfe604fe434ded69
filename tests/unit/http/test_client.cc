// TestClient over POSIX sockets.
#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace grouter::http::testing {

namespace {

constexpr int kReceiveTimeoutSeconds = 5;

std::string lower(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

TestClient::TestClient(const std::string& host, uint16_t port) {
  sockaddr_storage address{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(*v4);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(*v6);
  } else {
    return;
  }
  int fd = ::socket(address.ss_family, SOCK_STREAM, 0);
  if (fd < 0) return;
  timeval timeout{.tv_sec = kReceiveTimeoutSeconds, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

TestClient::~TestClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool TestClient::send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

bool TestClient::fill() {
  char chunk[4096];
  const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (got <= 0) return false;
  buffer_.append(chunk, static_cast<std::size_t>(got));
  return true;
}

std::optional<ClientResponse> TestClient::read_response(bool head_request) {
  auto response = read_head();
  if (!response) return std::nullopt;
  const auto length = response->headers.find("content-length");
  if (length == response->headers.end()) return std::nullopt;
  const std::size_t body_bytes = head_request ? 0 : std::stoul(length->second);
  while (buffer_.size() < body_bytes) {
    if (!fill()) return std::nullopt;
  }
  response->body = buffer_.substr(0, body_bytes);
  buffer_.erase(0, body_bytes);
  return response;
}

std::optional<std::string> TestClient::read_until(std::string_view marker) {
  std::size_t at;
  while ((at = buffer_.find(marker)) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  std::string out = buffer_.substr(0, at + marker.size());
  buffer_.erase(0, at + marker.size());
  return out;
}

std::optional<ClientResponse> TestClient::read_head() {
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  const std::string head = buffer_.substr(0, head_end);
  buffer_.erase(0, head_end + 4);
  ClientResponse response;
  std::size_t line_end = head.find("\r\n");
  const std::string status_line = head.substr(0, line_end);
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12) return std::nullopt;
  response.status = std::stoi(status_line.substr(9, 3));
  while (line_end != std::string::npos) {
    const std::size_t start = line_end + 2;
    line_end = head.find("\r\n", start);
    const std::string line = head.substr(start, line_end == std::string::npos ? std::string::npos : line_end - start);
    const std::size_t colon = line.find(": ");
    if (colon == std::string::npos) return std::nullopt;
    response.headers[lower(line.substr(0, colon))] = line.substr(colon + 2);
  }
  return response;
}

bool TestClient::closed_by_server() {
  if (!buffer_.empty()) return false;
  char byte;
  const ssize_t got = ::recv(fd_, &byte, 1, 0);
  if (got == 0) return true;
  return got < 0 && (errno == ECONNRESET || errno == EPIPE);
}

bool TestClient::readable_within(int timeout_ms) {
  if (!buffer_.empty()) return true;
  pollfd entry{.fd = fd_, .events = POLLIN, .revents = 0};
  return ::poll(&entry, 1, timeout_ms) == 1;
}

void TestClient::shutdown_write() {
  ::shutdown(fd_, SHUT_WR);
}

void TestClient::reset() {
  if (fd_ < 0) return;
  linger abort{.l_onoff = 1, .l_linger = 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
  ::close(fd_);
  fd_ = -1;
}

}  // namespace grouter::http::testing
