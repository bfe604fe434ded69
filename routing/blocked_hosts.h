// Per-route connect-error counting and host blocking (MySQL Router's max_connect_errors).
// A client host that fails max_connect_errors handshakes in a row is blocked until restart;
// a completed handshake resets its count. Thread-safe: every worker of a route shares one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace grouter::routing {

class BlockedHosts {
 public:
  // Hosts with more than this many distinct error counters are not tracked further (bounded
  // memory); their errors still count in the route's connect-error total.
  static constexpr std::size_t kMaxTrackedHosts = 65536;

  explicit BlockedHosts(std::uint32_t max_connect_errors) : max_errors_(max_connect_errors) {}

  // Records one connect error from HOST; returns true when that error blocked it.
  bool record_error(const std::string& host);
  // A handshake from HOST completed: its error count starts over.
  void record_success(const std::string& host);
  bool is_blocked(const std::string& host) const;
  std::vector<std::string> blocked() const;  // sorted
  std::uint32_t max_connect_errors() const { return max_errors_; }

 private:
  const std::uint32_t max_errors_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::uint32_t> errors_;  // guarded by mutex_
};

}  // namespace grouter::routing
