// Route-wide shared state.
#include "routing/route.h"

namespace grouter::routing {

EpochMicros now_epoch_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Route::Route(RouteConfig config)
    : config_(std::move(config)),
      planner_(config_.strategy),
      blocked_hosts_(config_.max_connect_errors),
      quarantined_(new std::atomic<bool>[config_.destinations.size()]) {
  for (std::size_t i = 0; i < config_.destinations.size(); ++i) quarantined_[i].store(false);
}

void Route::quarantine(std::size_t index) {
  if (!quarantined_[index].exchange(true)) quarantined_count_.fetch_add(1);
}

void Route::release_from_quarantine(std::size_t index) {
  if (quarantined_[index].exchange(false)) quarantined_count_.fetch_sub(1);
}

bool Route::is_quarantined(std::size_t index) const { return quarantined_[index].load(); }

std::vector<std::size_t> Route::usable_destinations() const {
  std::vector<std::size_t> out;
  out.reserve(config_.destinations.size());
  for (std::size_t i = 0; i < config_.destinations.size(); ++i) {
    if (!quarantined_[i].load(std::memory_order_relaxed)) out.push_back(i);
  }
  if (out.empty()) {
    for (std::size_t i = 0; i < config_.destinations.size(); ++i) out.push_back(i);
  }
  return out;
}

bool Route::is_alive() const {
  return listening_.load() && !config_.destinations.empty() &&
         quarantined_count_.load() < config_.destinations.size();
}

bool Route::try_admit() {
  const std::uint64_t limit = config_.max_connections;
  std::uint64_t active = counters_.active_connections.load(std::memory_order_relaxed);
  do {
    if (limit != 0 && active >= limit) return false;
  } while (!counters_.active_connections.compare_exchange_weak(active, active + 1,
                                                                std::memory_order_relaxed));
  counters_.total_connections.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void Route::release() { counters_.active_connections.fetch_sub(1, std::memory_order_relaxed); }

std::uint64_t Route::register_connection(std::shared_ptr<ConnectionStats> stats) {
  std::lock_guard lock(registry_mutex_);
  const std::uint64_t id = next_connection_id_++;
  registry_.emplace(id, std::move(stats));
  return id;
}

void Route::unregister_connection(std::uint64_t id) {
  std::lock_guard lock(registry_mutex_);
  registry_.erase(id);
}

std::vector<std::shared_ptr<const ConnectionStats>> Route::connections() const {
  std::lock_guard lock(registry_mutex_);
  std::vector<std::shared_ptr<const ConnectionStats>> out;
  out.reserve(registry_.size());
  for (const auto& [id, stats] : registry_) out.push_back(stats);
  return out;
}

}  // namespace grouter::routing
