// The safety properties the simulator checks after every event, against the ground truth of the
// model (not against what grouter believes). The first breach is returned with its text.
//  1. Never two members writable that clients can reach (clients reach nodes only through grouter:
//     grouter runs, the node runs, the grouter↔node link is up) for longer than kFenceGraceMs:
//     a hung old primary that resumes is writable until grouter's next probe round fences it.
//  2. Every acknowledged write is on the primary of every later view: checked whenever a primary
//     is published and writable (otherwise the group is waiting with no primary).
//  3. The view seq only grows (and its fixed part never changes).
//  4. A member holding transactions the group lacks is never ONLINE: while a primary is published
//     and writable, every other ONLINE member's binlog is a prefix of the primary's (history
//     hashes compared, so a diverged history is caught even at an equal sequence number).
// Owned by the Simulation; reads the cluster, the driver and the writer it is given.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tests/sim/driver.h"
#include "tests/sim/writer.h"

namespace grouter::sim {

inline constexpr int64_t kFenceGraceMs = 1500;

class InvariantChecker {
 public:
  InvariantChecker(const Cluster& cluster, const Driver& driver, const Writer& writer)
      : cluster_(cluster), driver_(driver), writer_(writer) {}

  // The first breach at now_ms, or nullopt.
  std::optional<std::string> check(int64_t now_ms);
  // Acknowledged writes found missing on a published writable primary.
  uint64_t lost() const { return lost_; }

 private:
  std::optional<std::string> check_writable(int64_t now_ms);
  std::optional<std::string> check_acked();
  std::optional<std::string> check_view();
  std::optional<std::string> check_online(size_t primary);

  const Cluster& cluster_;
  const Driver& driver_;
  const Writer& writer_;
  std::optional<int64_t> two_writable_since_ms_;
  std::optional<size_t> checked_primary_;  // the writable primary the acks were checked against
  size_t checked_acks_ = 0;
  uint64_t view_fixed_ = 0;
  uint64_t view_seq_ = 0;
  uint64_t lost_ = 0;
  // Per node, the (binlog size, last history hash) pair last found consistent with the primary's.
  std::vector<std::pair<size_t, uint64_t>> online_checked_ =
      std::vector<std::pair<size_t, uint64_t>>(kGrouter);
  std::pair<size_t, uint64_t> primary_checked_;
};

}  // namespace grouter::sim
