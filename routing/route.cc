// Route-wide shared state.
#include "routing/route.h"

#include <algorithm>

namespace grouter::routing {

EpochMicros now_epoch_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Route::Route(RouteConfig config, std::shared_ptr<const TlsContexts> tls)
    : config_(std::move(config)),
      tls_(std::move(tls)),
      planner_(config_.strategy),
      blocked_hosts_(config_.max_connect_errors),
      quarantined_(new std::atomic<bool>[config_.destinations.size()]),
      static_targets_(std::make_shared<const std::vector<Destination>>(config_.destinations)),
      published_(std::make_shared<const DestinationSet>()) {
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
  if (!listening_.load()) return false;
  if (config_.group) return !current_destinations().empty();
  return !config_.destinations.empty() && quarantined_count_.load() < config_.destinations.size();
}

ConnectPlan Route::plan_connection() {
  ConnectPlan plan;
  if (!config_.group) {
    plan.targets = static_targets_;
    plan.order = planner_.plan(usable_destinations());
    return plan;
  }
  const auto set = published_.load();
  auto targets = std::make_shared<std::vector<Destination>>();
  std::vector<std::size_t> preferred;
  std::vector<std::size_t> fallback;
  auto add = [&](const std::vector<Destination>& from, std::vector<std::size_t>& into) {
    for (const auto& d : from) {
      into.push_back(targets->size());
      targets->push_back(d);
    }
  };
  switch (config_.group->role) {
    case ServerRole::kPrimary:
      add(set->primaries, preferred);
      break;
    case ServerRole::kSecondary:
      add(set->secondaries, preferred);
      if (config_.strategy == RoutingStrategy::kRoundRobinWithFallback) add(set->primaries, fallback);
      break;
    case ServerRole::kPrimaryAndSecondary:
      add(set->primaries, preferred);
      if (!config_.access_mode_auto) add(set->secondaries, preferred);  // auto: the primary leg
      break;
  }
  plan.order = planner_.plan(preferred, fallback);
  plan.targets = std::move(targets);
  return plan;
}

void Route::report_unreachable(const ConnectPlan& plan, std::size_t index) {
  if (config_.group || plan.targets != static_targets_) return;
  planner_.report_failure(index);
  quarantine(index);
}

void Route::report_reachable(const ConnectPlan& plan, std::size_t index) {
  if (config_.group || plan.targets != static_targets_) return;
  release_from_quarantine(index);
}

bool Route::allows(const Destination& destination) const {
  if (!config_.group) return true;
  const auto set = published_.load();
  // A read/write-splitting session's first connection is its primary leg.
  if (config_.group->role == ServerRole::kPrimary || config_.access_mode_auto) {
    return std::find(set->primaries.begin(), set->primaries.end(), destination) !=
           set->primaries.end();
  }
  return set->contains(destination);
}

std::optional<Destination> Route::pick_secondary() {
  if (!config_.group) return std::nullopt;
  const auto set = published_.load();
  if (set->secondaries.empty()) return std::nullopt;
  const std::uint64_t turn = secondary_turn_.fetch_add(1, std::memory_order_relaxed);
  return set->secondaries[turn % set->secondaries.size()];
}

void Route::publish(std::shared_ptr<const DestinationSet> destinations) {
  published_.store(std::move(destinations));
  std::lock_guard lock(wakers_mutex_);
  for (const auto& [id, wake] : wakers_) wake();
}

std::vector<Destination> Route::current_destinations() const {
  if (!config_.group) return config_.destinations;
  const auto set = published_.load();
  std::vector<Destination> out;
  const ServerRole role = config_.group->role;
  if (role != ServerRole::kSecondary) out = set->primaries;
  if (role != ServerRole::kPrimary) out.insert(out.end(), set->secondaries.begin(), set->secondaries.end());
  if (role == ServerRole::kSecondary && out.empty() &&
      config_.strategy == RoutingStrategy::kRoundRobinWithFallback) {
    out = set->primaries;
  }
  return out;
}

std::uint64_t Route::add_waker(std::function<void()> wake) {
  std::lock_guard lock(wakers_mutex_);
  const std::uint64_t id = next_waker_id_++;
  wakers_.emplace_back(id, std::move(wake));
  return id;
}

void Route::remove_waker(std::uint64_t id) {
  std::lock_guard lock(wakers_mutex_);
  std::erase_if(wakers_, [id](const auto& entry) { return entry.first == id; });
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
