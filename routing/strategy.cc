// Destination planning for the routing strategies.
#include "routing/strategy.h"

namespace grouter::routing {

std::optional<RoutingStrategy> parse_routing_strategy(std::string_view text) {
  if (text == "first-available") return RoutingStrategy::kFirstAvailable;
  if (text == "next-available") return RoutingStrategy::kNextAvailable;
  if (text == "round-robin") return RoutingStrategy::kRoundRobin;
  if (text == "round-robin-with-fallback") return RoutingStrategy::kRoundRobinWithFallback;
  return std::nullopt;
}

std::string_view to_string(RoutingStrategy strategy) {
  switch (strategy) {
    case RoutingStrategy::kFirstAvailable: return "first-available";
    case RoutingStrategy::kNextAvailable: return "next-available";
    case RoutingStrategy::kRoundRobin: return "round-robin";
    case RoutingStrategy::kRoundRobinWithFallback: return "round-robin-with-fallback";
  }
  return "unknown";
}

void DestinationPlanner::append_rotated(std::vector<std::size_t>& out,
                                        std::span<const std::size_t> from, std::size_t start) {
  for (std::size_t i = 0; i < from.size(); ++i) out.push_back(from[(start + i) % from.size()]);
}

std::vector<std::size_t> DestinationPlanner::plan(std::span<const std::size_t> candidates) {
  return plan(candidates, {});
}

std::vector<std::size_t> DestinationPlanner::plan(std::span<const std::size_t> preferred,
                                                  std::span<const std::size_t> fallback) {
  std::vector<std::size_t> out;
  out.reserve(preferred.size() + fallback.size());
  auto next = [](std::atomic<std::size_t>& counter, std::size_t size) {
    return counter.fetch_add(1, std::memory_order_relaxed) % size;
  };
  if (strategy_ == RoutingStrategy::kRoundRobinWithFallback) {
    if (!preferred.empty()) append_rotated(out, preferred, next(next_round_robin_, preferred.size()));
    if (!fallback.empty()) append_rotated(out, fallback, next(next_fallback_, fallback.size()));
    return out;
  }
  std::vector<std::size_t> all(preferred.begin(), preferred.end());
  all.insert(all.end(), fallback.begin(), fallback.end());
  if (all.empty()) return out;
  switch (strategy_) {
    case RoutingStrategy::kFirstAvailable:
      return all;
    case RoutingStrategy::kNextAvailable: {
      const std::size_t first = first_usable_.load(std::memory_order_acquire);
      for (std::size_t index : all) {
        if (index >= first) out.push_back(index);
      }
      return out;
    }
    case RoutingStrategy::kRoundRobin:
    case RoutingStrategy::kRoundRobinWithFallback:
      append_rotated(out, all, next(next_round_robin_, all.size()));
      return out;
  }
  return out;
}

void DestinationPlanner::report_failure(std::size_t index) {
  if (strategy_ != RoutingStrategy::kNextAvailable) return;
  // Raise first_usable_ to index + 1 unless another thread already moved it further.
  std::size_t current = first_usable_.load(std::memory_order_acquire);
  while (current <= index &&
         !first_usable_.compare_exchange_weak(current, index + 1, std::memory_order_acq_rel)) {
  }
}

}  // namespace grouter::routing
