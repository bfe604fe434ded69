// Connect-error counting per client host.
#include "routing/blocked_hosts.h"

#include <algorithm>

namespace grouter::routing {

bool BlockedHosts::record_error(const std::string& host) {
  if (max_errors_ == 0) return false;
  std::lock_guard lock(mutex_);
  auto it = errors_.find(host);
  if (it == errors_.end()) {
    if (errors_.size() >= kMaxTrackedHosts) return false;
    it = errors_.emplace(host, 0).first;
  }
  if (it->second >= max_errors_) return false;  // already blocked
  ++it->second;
  return it->second >= max_errors_;
}

void BlockedHosts::record_success(const std::string& host) {
  std::lock_guard lock(mutex_);
  auto it = errors_.find(host);
  if (it != errors_.end() && it->second < max_errors_) errors_.erase(it);
}

bool BlockedHosts::is_blocked(const std::string& host) const {
  if (max_errors_ == 0) return false;
  std::lock_guard lock(mutex_);
  auto it = errors_.find(host);
  return it != errors_.end() && it->second >= max_errors_;
}

std::vector<std::string> BlockedHosts::blocked() const {
  std::vector<std::string> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [host, count] : errors_) {
      if (count >= max_errors_) out.push_back(host);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace grouter::routing
