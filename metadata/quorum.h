// Majorities (GR: n = 2f + 1). Expels and elections need a majority of the current view reachable;
// an instance that reaches only a minority must not change the view.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "metadata/group_state.h"

namespace grouter::metadata {

// The smallest majority of n members: n / 2 + 1 (1→1, 2→2, 3→2, 4→3, 5→3, 6→4, 7→4). For an empty
// group 1, so that nothing is ever a majority of nobody.
[[nodiscard]] constexpr size_t majority(size_t n) {
  return n / 2 + 1;
}

// True when the members of `view` found in `reachable` are a majority of `view`. Duplicates count
// once; ids outside the view do not count.
[[nodiscard]] bool has_majority(std::span<const std::string> view,
                                std::span<const std::string> reachable);

// The same over the view of `state`, where reachable means in the view and not UNREACHABLE.
[[nodiscard]] bool has_majority(const GroupState& state);

}  // namespace grouter::metadata
