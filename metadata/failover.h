// The failover decision, pure: who becomes primary once the primary has left the view, to which
// GTID position it must first catch up, and whether that is safe at all. No I/O, clock or
// randomness: the caller (the group controller on real nodes, tests/sim on modelled ones) freezes
// and reads the nodes, passes what it read, and runs the plan it gets back.
//
// The safety rule (docs/group-replication.md, "The failover safety rule"). MariaDB's semi-sync
// acknowledges a commit once ONE replica has received it, so an acknowledged transaction may be
// on a single member, unapplied in its relay log. A promotion therefore proceeds only on reads
// made during this failover, after each read member's receiver was stopped (what it holds is then
// final), from
//   1. a majority of the view (counted from the reads, not from states decided earlier), and
//   2. every possible holder: every configured node but the old primary, unless the old primary
//      itself was read (its binary log holds everything it sent). A holder that was not read is
//      excused only when what it can hold is known and within what was read: its last probe
//      showed its receiver stopped with a known received set (only grouter starts receivers:
//      skip_slave_start), or it died (connection refused) and the old primary's position, probed
//      after that, bounds it (a receiver gets its source's binary log in order). A receiver stopped
//      is no proof by itself: with one-ack semi-sync the writes it acknowledged before stopping
//      may be on it alone. With semi-sync fallen back to asynchronous on the old primary (it
//      acknowledged commits without a replica), the old primary itself is a holder too.
// Otherwise the group waits and says why. force_members (the operator's last resort) replaces the
// view by the listed members and the holders by the listed members: the plan then names what the
// excluded holders may have had that the group loses.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "metadata/group_state.h"
#include "metadata/gtid.h"
#include "metadata/node_facts.h"

namespace grouter::metadata {

// What one node holds, read during this failover after its receiver was stopped (and, on a node
// that restarted, after the relay log it kept was applied: MariaDB would otherwise purge it).
struct FailoverRead {
  GtidPosition received;  // Gtid_IO_Pos: what its receiver wrote to the relay log
  GtidPosition executed;  // gtid_current_pos: what it applied or wrote
};

// One configured node as the decision sees it.
struct FailoverNode {
  std::string member_id;
  std::string host;
  uint16_t port = 0;
  std::optional<NodeFacts> last_facts;  // the newest probe that answered (any time); none: never
  std::optional<FailoverRead> read;     // none: not read during this failover
  // False when an operation that may start its receiver (a repoint, a recovery) ended after that
  // probe: the facts no longer bound what it holds (they still say what it was last seen to hold).
  bool facts_current = true;
  // An upper bound of what it can hold, when it is known to be dead: the old primary's executed
  // set probed after the node's connection was first refused.
  std::optional<GtidPosition> dead_bound;
};

struct FailoverInput {
  const GroupState* state = nullptr;  // the decided state: view, members, versions, weights
  std::string old_primary;            // member_id of the lost primary ("" when unknown)
  std::vector<FailoverNode> nodes;    // every configured node with a member_id
  GtidPosition floor;                 // a target decided before (grouter restarted mid-failover)
  // force_members: the operator's member_ids. Replaces the view and the possible holders.
  std::optional<std::vector<std::string>> forced_members;
};

struct FailoverPlan {
  // member_id, by GR's rule among the ONLINE members read (among the RECOVERING ones read when no
  // ONLINE member answered: it becomes ONLINE as it is promoted).
  std::string winner;
  GtidPosition target;               // every read merged (and the floor): what the winner must hold
  std::optional<std::string> donor;  // a member read that holds the target; none: the winner does
  std::vector<std::string> others;   // the other members of the view read: pointed at the winner
  // Under force_members: per excluded possible holder, what it was last seen to hold beyond the
  // target ("" when nothing is known to be lost).
  std::string may_lose;
};

struct FailoverWait {
  std::string reason;                // one line, for /api/v1/group and the log
  std::vector<std::string> missing;  // the member_ids whose read would let it proceed
};

using FailoverDecision = std::variant<FailoverPlan, FailoverWait>;

// The member_ids that may hold an acknowledged transaction the others lack (rule 2), before any
// is excused, in the order of input.nodes. The old primary is among them only when semi-sync had
// fallen back on it.
[[nodiscard]] std::vector<std::string> possible_holders(const FailoverInput& input);

// What a node that was not read can hold at most, when that is known (see rule 2); nullopt
// otherwise.
[[nodiscard]] std::optional<GtidPosition> known_holdings(const FailoverNode& node);

// The rule and the plan. Waits when: no view, a majority of the view is not read, a possible
// holder is neither read nor excused (and the old primary was not read), no ONLINE member of the
// or RECOVERING member of the view was read, or no read holds the target (the floor included).
[[nodiscard]] FailoverDecision decide_failover(const FailoverInput& input);

// Before a step of PLAN that changes a node: does the plan still hold with what was read since
// (the same input shape, read again)? The winner must still be read, ONLINE and in the view, the
// donor (if any) must still be read and hold the target, and no read may hold a transaction
// beyond the target. The error says what changed.
[[nodiscard]] std::optional<std::string> recheck_failover(const FailoverPlan& plan,
                                                          const FailoverInput& input);

}  // namespace grouter::metadata
