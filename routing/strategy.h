// Routing strategies with MySQL Router's meaning, as a pure, thread-safe planner: for each new client
// connection it says in which order to try the destinations. The connection reports failures back.
//
//   first-available            always from the first destination on; a failed one is skipped.
//   next-available             like first-available, but a destination that failed once is never
//                              tried again (until restart): later connections start after it.
//   round-robin                each new connection starts one further along the list, wrapping.
//   round-robin-with-fallback  round-robin over the preferred destinations (secondaries); only when
//                              none can be reached, round-robin over the fallback ones (primaries).
//                              Needs roles, so it is for metadata-cache destinations only (as in
//                              MySQL Router); the planner supports it for that.
#pragma once

#include <atomic>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace grouter::routing {

enum class RoutingStrategy { kFirstAvailable, kNextAvailable, kRoundRobin, kRoundRobinWithFallback };

std::optional<RoutingStrategy> parse_routing_strategy(std::string_view text);
std::string_view to_string(RoutingStrategy strategy);

class DestinationPlanner {
 public:
  explicit DestinationPlanner(RoutingStrategy strategy) : strategy_(strategy) {}
  DestinationPlanner(const DestinationPlanner&) = delete;
  DestinationPlanner& operator=(const DestinationPlanner&) = delete;

  RoutingStrategy strategy() const { return strategy_; }

  // The order in which a new connection should try CANDIDATES (indexes into the route's
  // destinations, ascending; quarantined ones already left out). Empty when nothing is left to
  // try (next-available after every destination failed).
  std::vector<std::size_t> plan(std::span<const std::size_t> candidates);

  // For round-robin-with-fallback: PREFERRED destinations first (secondaries), then FALLBACK
  // (primaries). Other strategies treat the two as one list.
  std::vector<std::size_t> plan(std::span<const std::size_t> preferred,
                                std::span<const std::size_t> fallback);

  // A connection could not reach destination INDEX (next-available remembers it).
  void report_failure(std::size_t index);

 private:
  static void append_rotated(std::vector<std::size_t>& out, std::span<const std::size_t> from,
                             std::size_t start);

  const RoutingStrategy strategy_;
  std::atomic<std::size_t> next_round_robin_{0};
  std::atomic<std::size_t> next_fallback_{0};
  std::atomic<std::size_t> first_usable_{0};  // next-available: every index below has failed
};

}  // namespace grouter::routing
