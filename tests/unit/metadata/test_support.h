// Builders shared by the metadata tests: member ids, a bootstrapped group, applying entries that
// must succeed.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "metadata/apply.h"
#include "metadata/entry.h"
#include "metadata/group_state.h"
#include "metadata/gtid.h"
#include "metadata/node_facts.h"

namespace grouter::metadata::testing {

inline const std::string kGroupName = "aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa";
inline constexpr uint64_t kViewFixed = 1700000000000;

// The member_id of test node n: ids sort in the order of n.
inline std::string id(int n) {
  char text[40];
  std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012d", n);
  return text;
}

inline NodeConfig node(int n, uint32_t weight = kDefaultMemberWeight, bool with_id = true) {
  return NodeConfig{"n" + std::to_string(n), "127.0.0.1", static_cast<uint16_t>(3300 + n), weight,
                    with_id ? id(n) : std::string()};
}

// Bootstrap over nodes 1..count, all with ids and default weights.
inline Bootstrap bootstrap_entry(int count) {
  Bootstrap b{kGroupName, true, kViewFixed, {}};
  for (int n = 1; n <= count; ++n) b.nodes.push_back(node(n));
  return b;
}

// A GTID position that must parse.
inline GtidPosition pos(std::string_view text) {
  auto p = parse_gtid_position(text);
  EXPECT_TRUE(p.has_value()) << text;
  return p.value_or(GtidPosition{});
}

// SHOW SLAVE STATUS of a node replicating from test node `source` (node(source)'s address), both
// threads running, having received `received`.
inline ReplicaFacts replicating_from(int source, std::string_view received) {
  ReplicaFacts r;
  r.source_host = "127.0.0.1";
  r.source_port = static_cast<uint16_t>(3300 + source);
  r.io_running = "Yes";
  r.sql_running = true;
  r.received = pos(received);
  return r;
}

inline GroupState must_apply(const GroupState& state, const Entry& entry) {
  auto next = apply_entry(state, entry);
  EXPECT_TRUE(next.has_value()) << entry_type(entry) << ": " << next.error().message();
  return next ? *next : state;
}

inline GroupState must_apply_all(GroupState state, std::initializer_list<Entry> entries) {
  for (const Entry& e : entries) state = must_apply(state, e);
  return state;
}

// `count` members, all ONLINE in the view, node 1 primary.
inline GroupState online_group(int count) {
  GroupState state = must_apply(GroupState{}, bootstrap_entry(count));
  for (int n = 1; n <= count; ++n) {
    state = must_apply_all(state, {MemberJoined{id(n)}, MemberOnline{id(n)}});
  }
  return must_apply(state, PrimaryElected{id(1), "test"});
}

}  // namespace grouter::metadata::testing
