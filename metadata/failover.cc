// The failover safety rule and plan (failover.h): which reads are needed, who wins, the target.
#include "metadata/failover.h"

#include <algorithm>
#include <set>

#include "metadata/election.h"
#include "metadata/quorum.h"

namespace grouter::metadata {
namespace {

// What a read node holds once it applied its relay log: what it received and what it executed.
GtidPosition held(const FailoverRead& read) {
  return merge_newest(read.received, read.executed);
}

const FailoverNode* find_node(const FailoverInput& input, const std::string& member_id) {
  for (const FailoverNode& n : input.nodes) {
    if (!member_id.empty() && n.member_id == member_id) return &n;
  }
  return nullptr;
}

std::string name_of(const FailoverInput& input, const std::string& member_id) {
  const Member* m = input.state->find(member_id);
  return m != nullptr && !m->name.empty() ? m->name : member_id;
}

std::string names(const FailoverInput& input, const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ", ";
    out += name_of(input, id);
  }
  return out;
}

// The view the rule counts: the operator's forced members, or the decided view.
std::vector<std::string> rule_view(const FailoverInput& input) {
  if (input.forced_members) return *input.forced_members;
  return input.state->view_member_ids();
}

// The old primary acknowledged commits without a replica: they may be on it alone.
bool fell_back(const FailoverNode& old_primary) {
  return old_primary.last_facts && old_primary.last_facts->semi_sync_master_enabled &&
         !old_primary.last_facts->semi_sync_master_active;
}

std::vector<std::string> holders_of(const FailoverInput& input, bool forced_view) {
  const FailoverNode* old = find_node(input, input.old_primary);
  std::vector<std::string> holders;
  for (const FailoverNode& n : input.nodes) {
    if (n.member_id.empty()) continue;
    if (forced_view && input.forced_members &&
        std::find(input.forced_members->begin(), input.forced_members->end(), n.member_id) ==
            input.forced_members->end()) {
      continue;
    }
    if (&n == old) {
      if (fell_back(n)) holders.push_back(n.member_id);
      continue;
    }
    holders.push_back(n.member_id);
  }
  return holders;
}

// Reads that count towards the target: the view's, the possible holders' and the old primary's.
std::vector<const FailoverNode*> counted_reads(const FailoverInput& input,
                                               const std::vector<std::string>& view,
                                               const std::vector<std::string>& holders) {
  std::vector<const FailoverNode*> reads;
  for (const FailoverNode& n : input.nodes) {
    if (!n.read) continue;
    const bool in_view = std::find(view.begin(), view.end(), n.member_id) != view.end();
    const bool holder = std::find(holders.begin(), holders.end(), n.member_id) != holders.end();
    if (in_view || holder || n.member_id == input.old_primary) reads.push_back(&n);
  }
  return reads;
}

bool in_view_as(const FailoverInput& input, const std::vector<std::string>& view,
                const std::string& member_id, MemberState state) {
  const Member* m = input.state->find(member_id);
  return m != nullptr && m->state == state &&
         std::find(view.begin(), view.end(), member_id) != view.end();
}

bool online_in_view(const FailoverInput& input, const std::vector<std::string>& view,
                    const std::string& member_id) {
  return in_view_as(input, view, member_id, MemberState::kOnline);
}

// GR's rule among the members of the view in STATE that were read.
std::optional<std::string> elect_among_read(const FailoverInput& input,
                                            const std::vector<std::string>& view,
                                            MemberState state) {
  GroupState trial = *input.state;
  for (Member& m : trial.members) {
    const FailoverNode* n = find_node(input, m.member_id);
    const bool candidate = n != nullptr && n->read && in_view_as(input, view, m.member_id, state);
    m.in_view = candidate;
    m.state = candidate ? MemberState::kOnline : MemberState::kOffline;
  }
  return elect_primary(trial);
}

// Under force_members: what each excluded possible holder was last seen to hold beyond TARGET.
std::string lost_beyond(const FailoverInput& input, const GtidPosition& target) {
  std::string out;
  for (const std::string& id : holders_of(input, /*forced_view=*/false)) {
    if (std::find(input.forced_members->begin(), input.forced_members->end(), id) !=
        input.forced_members->end()) {
      continue;
    }
    const FailoverNode* n = find_node(input, id);
    std::string what;
    if (n == nullptr || !n->last_facts) {
      what = "unknown (never probed)";
    } else {
      GtidPosition seen = n->last_facts->current_pos;
      if (n->last_facts->replica) seen = merge_newest(seen, n->last_facts->replica->received);
      if (covers(target, seen)) continue;
      what = "up to " + to_string(seen) + " (" + std::to_string(transactions_behind(target, seen)) +
             " transaction(s) beyond " + to_string(target) + ")";
    }
    if (!out.empty()) out += "; ";
    out += name_of(input, id) + ": " + what;
  }
  return out;
}

}  // namespace

std::optional<GtidPosition> known_holdings(const FailoverNode& node) {
  if (node.dead_bound) return node.dead_bound;
  if (!node.last_facts || !node.facts_current) return std::nullopt;
  const auto& replica = node.last_facts->replica;
  if (!replica) return node.last_facts->current_pos;  // no replication: its binary log alone
  // Stopped, with what it received known (a node that restarted forgot it, not its relay log).
  if (replica->io_running == "No" && !replica->received.empty())
    return merge_newest(node.last_facts->current_pos, replica->received);
  return std::nullopt;
}

std::vector<std::string> possible_holders(const FailoverInput& input) {
  return holders_of(input, /*forced_view=*/true);
}

FailoverDecision decide_failover(const FailoverInput& input) {
  const std::vector<std::string> view = rule_view(input);
  if (view.empty()) return FailoverWait{"the view has no members", {}};
  // Rule 1: a majority of the view read during this failover.
  std::vector<std::string> unread_view;
  for (const std::string& id : view) {
    const FailoverNode* n = find_node(input, id);
    if (n == nullptr || !n->read) unread_view.push_back(id);
  }
  const size_t read_count = view.size() - unread_view.size();
  if (read_count < majority(view.size())) {
    return FailoverWait{"no majority of the view answered during the failover (" +
                            std::to_string(read_count) + " of " + std::to_string(view.size()) +
                            "; not answering: " + names(input, unread_view) + ")",
                        unread_view};
  }
  // Rule 2: every possible holder read or excused, unless the old primary was read.
  const std::vector<std::string> holders = possible_holders(input);
  const FailoverNode* old = find_node(input, input.old_primary);
  const bool old_read = old != nullptr && old->read.has_value();
  GtidPosition read_target = input.floor;
  for (const FailoverNode* n : counted_reads(input, view, holders))
    read_target = merge_newest(read_target, held(*n->read));
  if (!old_read) {
    std::vector<std::string> missing;
    for (const std::string& id : holders) {
      const FailoverNode* n = find_node(input, id);
      if (n != nullptr && n->read) continue;
      // The old primary (a holder only after a fallback) is excused by nothing but its read.
      const auto bound = n != nullptr && n != old ? known_holdings(*n) : std::nullopt;
      if (bound && covers(read_target, *bound)) continue;
      missing.push_back(id);
    }
    if (!missing.empty()) {
      return FailoverWait{"waiting for " + names(input, missing) +
                              ": may hold acknowledged transactions the others lack (semi-sync "
                              "acknowledges on one replica) and has not answered since the "
                              "primary " +
                              (input.old_primary.empty() ? std::string("(unknown)")
                                                         : name_of(input, input.old_primary)) +
                              " was lost; force_members decides without it",
                          missing};
    }
  }
  FailoverPlan plan;
  plan.target = read_target;
  const auto reads = counted_reads(input, view, holders);
  // GR elects among ONLINE members. When only RECOVERING ones answer, waiting would be for ever
  // (recovery needs a donor): one of them is as safe a winner, since it reaches the target first.
  auto winner = elect_among_read(input, view, MemberState::kOnline);
  if (!winner) winner = elect_among_read(input, view, MemberState::kRecovering);
  if (!winner) return FailoverWait{"no ONLINE or RECOVERING member of the view answered", {}};
  plan.winner = *winner;
  const FailoverNode* w = find_node(input, plan.winner);
  if (!covers(held(*w->read), plan.target)) {
    for (const FailoverNode* n : reads) {
      if (covers(held(*n->read), plan.target)) {
        plan.donor = n->member_id;
        break;
      }
    }
    if (!plan.donor) {
      return FailoverWait{
          "no member that answered holds every transaction read (" + to_string(plan.target) + ")",
          {}};
    }
  }
  for (const std::string& id : view) {
    const FailoverNode* n = find_node(input, id);
    if (id != plan.winner && n != nullptr && n->read) plan.others.push_back(id);
  }
  if (input.forced_members) plan.may_lose = lost_beyond(input, plan.target);
  return plan;
}

std::optional<std::string> recheck_failover(const FailoverPlan& plan, const FailoverInput& input) {
  const std::vector<std::string> view = rule_view(input);
  const FailoverNode* w = find_node(input, plan.winner);
  if (w == nullptr || !w->read)
    return "the elected member " + name_of(input, plan.winner) + " no longer answers";
  if (!online_in_view(input, view, plan.winner) &&
      !in_view_as(input, view, plan.winner, MemberState::kRecovering)) {
    return "the elected member " + name_of(input, plan.winner) + " is no longer in the view";
  }
  if (plan.donor) {
    const FailoverNode* d = find_node(input, *plan.donor);
    if (d == nullptr || !d->read)
      return "the donor " + name_of(input, *plan.donor) + " no longer answers";
  }
  for (const FailoverNode* n : counted_reads(input, view, possible_holders(input))) {
    if (!covers(plan.target, held(*n->read))) {
      return name_of(input, n->member_id) + " now holds " + to_string(held(*n->read)) +
             ", beyond the target " + to_string(plan.target);
    }
  }
  return std::nullopt;
}

}  // namespace grouter::metadata
