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

void DestinationPlanner::append_rotated(std::vector<std::size_t>& out, std::size_t begin,
                                        std::size_t count, std::size_t start) {
  for (std::size_t i = 0; i < count; ++i) out.push_back(begin + (start + i) % count);
}

std::vector<std::size_t> DestinationPlanner::plan(std::size_t count) { return plan(count, 0); }

std::vector<std::size_t> DestinationPlanner::plan(std::size_t preferred, std::size_t fallback) {
  std::vector<std::size_t> out;
  const std::size_t total = preferred + fallback;
  if (total == 0) return out;
  out.reserve(total);
  switch (strategy_) {
    case RoutingStrategy::kFirstAvailable:
      append_rotated(out, 0, total, 0);
      break;
    case RoutingStrategy::kNextAvailable:
      for (std::size_t i = first_usable_.load(std::memory_order_acquire); i < total; ++i) {
        out.push_back(i);
      }
      break;
    case RoutingStrategy::kRoundRobin:
      append_rotated(out, 0, total, next_round_robin_.fetch_add(1, std::memory_order_relaxed) % total);
      break;
    case RoutingStrategy::kRoundRobinWithFallback:
      if (preferred > 0) {
        append_rotated(out, 0, preferred,
                       next_round_robin_.fetch_add(1, std::memory_order_relaxed) % preferred);
      }
      if (fallback > 0) {
        append_rotated(out, preferred, fallback,
                       next_fallback_.fetch_add(1, std::memory_order_relaxed) % fallback);
      }
      break;
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
