// MariaDB GTID positions: "domain-server-seq" per replication domain, comma separated, as
// @@gtid_binlog_pos, @@gtid_slave_pos, @@gtid_current_pos and SHOW SLAVE STATUS's Gtid_IO_Pos
// print them. Pure values; comparisons are per domain by sequence number, which is what MariaDB's
// gtid_strict_mode makes meaningful (within a domain, sequence numbers only grow).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace grouter::metadata {

struct Gtid {
  uint32_t domain = 0;
  uint32_t server_id = 0;
  uint64_t seq = 0;

  bool operator==(const Gtid&) const = default;
};

std::string to_string(const Gtid& gtid);

// The newest GTID of each domain.
struct GtidPosition {
  std::map<uint32_t, Gtid> domains;

  bool empty() const { return domains.empty(); }
  bool operator==(const GtidPosition&) const = default;
};

// Parses "0-1-5,1-2-3" (spaces and newlines around items are ignored; "" is the empty position).
// nullopt when an item is not domain-server-seq or a domain appears twice.
[[nodiscard]] std::optional<GtidPosition> parse_gtid_position(std::string_view text);
[[nodiscard]] std::string to_string(const GtidPosition& position);

// True when `a` has reached `b`: for every domain of `b`, `a` has that domain with a sequence
// number at least b's.
[[nodiscard]] bool covers(const GtidPosition& a, const GtidPosition& b);

// Per domain, the GTID with the higher sequence number (a's on ties).
[[nodiscard]] GtidPosition merge_newest(const GtidPosition& a, const GtidPosition& b);

// The GTIDs of `position` that `server_id` wrote: the domains whose newest GTID came from it.
[[nodiscard]] GtidPosition written_by(const GtidPosition& position, uint32_t server_id);

// Transactions `node` has that `group` cannot have: a domain where node's sequence number is
// higher than group's (or that group lacks), or the same sequence number written by a different
// server (the histories diverged). Describes the first such domain ("0-3-17 (group has 0-1-16)"),
// or nullopt when node is consistent with group.
[[nodiscard]] std::optional<std::string> errant_against(const GtidPosition& node,
                                                        const GtidPosition& group);

// @@gtid_binlog_state: the newest GTID of every (domain, server_id) pair in a binary log. Unlike a
// position it remembers each server's own last transaction, which is what tells transactions a
// node wrote itself and never replicated from the group's.
struct GtidState {
  std::map<std::pair<uint32_t, uint32_t>, Gtid> pairs;
};

// Parses "0-1-5,0-3-7,1-2-3" (several GTIDs per domain allowed, one per server). nullopt when an
// item is malformed or a (domain, server) pair appears twice.
[[nodiscard]] std::optional<GtidState> parse_gtid_state(std::string_view text);

// A transaction in `node`'s binary log that `group`'s binary log lacks: for some (domain, server)
// pair, node's sequence number is higher than group's, or group never had that pair. Describes
// the first one ("0-3-17 (the group has 0-3-12 from server 3)"), or nullopt.
[[nodiscard]] std::optional<std::string> errant_in_state(const GtidState& node,
                                                         const GtidState& group);

// The number of transactions by which `ahead` leads `behind`, summed over domains (sequence
// numbers; 0 where `behind` is level or ahead).
[[nodiscard]] uint64_t transactions_behind(const GtidPosition& behind, const GtidPosition& ahead);

}  // namespace grouter::metadata
