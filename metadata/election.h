// GR's choices that every instance must compute alike: the primary of a single-primary group and
// the donor of a joining member. Pure functions of the state (and, for the donor, of the Random the
// caller passes).
#pragma once

#include <optional>
#include <span>
#include <string>

#include "metadata/group_state.h"
#include "metadata/random.h"

namespace grouter::metadata {

// GR's election rule among the ONLINE members of the view: the lowest version (major.minor.patch;
// a version never observed ranks after every known one), then the highest member_weight, then the
// lowest member_id (byte order of the UUID text). nullopt when no member of the view is ONLINE.
[[nodiscard]] std::optional<std::string> elect_primary(const GroupState& state);

// A donor for distributed recovery of `joiner_id`: drawn uniformly (from `random`) among the ONLINE
// members of the view other than the joiner and those in `tried`, whose version is not newer than
// the joiner's. A joiner whose version is unknown accepts any donor; a donor whose version is
// unknown is taken only for such a joiner. nullopt when there is none (or the joiner is unknown).
[[nodiscard]] std::optional<std::string> choose_donor(const GroupState& state,
                                                      const std::string& joiner_id, Random& random,
                                                      std::span<const std::string> tried = {});

}  // namespace grouter::metadata
