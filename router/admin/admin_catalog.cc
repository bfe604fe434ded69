// GR's tables from grouter's state.
#include "router/admin/admin_catalog.h"

#include <algorithm>

#include "metadata/gtid.h"

namespace grouter::admin {
namespace {

using metadata::GtidPosition;

std::int64_t count(std::uint64_t n) {
  return static_cast<std::int64_t>(n);
}

// Every transaction a position holds (sequence numbers summed over its domains).
std::uint64_t transactions_in(const GtidPosition& position) {
  return metadata::transactions_behind(GtidPosition{}, position);
}

// What every probed member has executed: per domain, the lowest sequence number; a domain some
// member lacks is left out.
GtidPosition committed_everywhere(const std::vector<const metadata::MemberProgress*>& members) {
  GtidPosition all;
  bool first = true;
  for (const auto* m : members) {
    if (first) {
      all = m->executed;
      first = false;
      continue;
    }
    for (auto it = all.domains.begin(); it != all.domains.end();) {
      auto theirs = m->executed.domains.find(it->first);
      if (theirs == m->executed.domains.end()) {
        it = all.domains.erase(it);
        continue;
      }
      if (theirs->second.seq < it->second.seq) it->second = theirs->second;
      ++it;
    }
  }
  return all;
}

}  // namespace

Table members_table(const metadata::GroupState& state) {
  Table t{kPerformanceSchema,
          "replication_group_members",
          {char_column("CHANNEL_NAME", 64), char_column("MEMBER_ID", 36),
           char_column("MEMBER_HOST", 255), int_column("MEMBER_PORT"),
           char_column("MEMBER_STATE", 64), char_column("MEMBER_ROLE", 64),
           char_column("MEMBER_VERSION", 64), char_column("MEMBER_COMMUNICATION_STACK", 64)},
          {}};
  for (const metadata::Member& m : state.members) {
    t.rows.push_back(
        {std::string(kChannelName), m.member_id, m.host, std::int64_t{m.port},
         std::string(metadata::to_string(m.state)), std::string(metadata::to_string(m.role)),
         m.version.known ? m.version.text : std::string(), std::string(kCommunicationStack)});
  }
  return t;
}

Table member_stats_table(const metadata::GroupState& state,
                         const std::vector<metadata::MemberProgress>& progress) {
  Table t{kPerformanceSchema,
          "replication_group_member_stats",
          {char_column("CHANNEL_NAME", 64), char_column("VIEW_ID", 255),
           char_column("MEMBER_ID", 36), bigint_unsigned_column("COUNT_TRANSACTIONS_IN_QUEUE"),
           bigint_unsigned_column("COUNT_TRANSACTIONS_CHECKED"),
           bigint_unsigned_column("COUNT_CONFLICTS_DETECTED"),
           bigint_unsigned_column("COUNT_TRANSACTIONS_ROWS_VALIDATING"),
           text_column("TRANSACTIONS_COMMITTED_ALL_MEMBERS"),
           text_column("LAST_CONFLICT_FREE_TRANSACTION"),
           bigint_unsigned_column("COUNT_TRANSACTIONS_REMOTE_IN_APPLIER_QUEUE"),
           bigint_unsigned_column("COUNT_TRANSACTIONS_REMOTE_APPLIED"),
           bigint_unsigned_column("COUNT_TRANSACTIONS_LOCAL_PROPOSED"),
           bigint_unsigned_column("COUNT_TRANSACTIONS_LOCAL_ROLLBACK")},
          {}};
  std::vector<const metadata::MemberProgress*> probed;
  const metadata::MemberProgress* primary = nullptr;
  for (const auto& p : progress) {
    const metadata::Member* m = state.find(p.member_id);
    if (m == nullptr || !m->in_view || !p.probed) continue;
    probed.push_back(&p);
    if (state.primary && *state.primary == p.member_id) primary = &p;
  }
  const std::string all = metadata::to_string(committed_everywhere(probed));
  const std::string last = primary != nullptr ? metadata::to_string(primary->executed) : "";
  const std::string view_id = metadata::to_string(state.view_id);
  for (const metadata::Member& m : state.members) {
    if (!m.in_view) continue;
    const auto it = std::ranges::find(progress, m.member_id, &metadata::MemberProgress::member_id);
    const bool known = it != progress.end() && it->probed;
    const bool is_primary = state.primary && *state.primary == m.member_id;
    const std::uint64_t executed = known ? transactions_in(it->executed) : 0;
    const std::uint64_t queue = known ? it->applier_queue : 0;
    const std::uint64_t behind = known ? it->behind_primary : 0;
    t.rows.push_back({std::string(kChannelName), view_id, m.member_id,
                      count(behind > queue ? behind - queue : 0), count(executed), std::int64_t{0},
                      std::int64_t{0}, all, last, count(queue), count(is_primary ? 0 : executed),
                      count(is_primary ? executed : 0), std::int64_t{0}});
  }
  return t;
}

NameValues group_statuses(const metadata::GroupState& state) {
  return {{"group_replication_primary_member", state.primary.value_or("")}};
}

Table name_value_table(std::string schema, std::string name, std::string name_column,
                       std::string value_column, const NameValues& rows) {
  Table t{
      std::move(schema),
      std::move(name),
      {varchar_column(std::move(name_column), 64), varchar_column(std::move(value_column), 1024)},
      {}};
  for (const auto& [n, v] : rows) t.rows.push_back({n, v});
  return t;
}

Table list_table(std::string column, const std::vector<std::string>& rows) {
  Table t{"", "", {varchar_column(std::move(column), 64)}, {}};
  for (const auto& r : rows) t.rows.push_back({r});
  return t;
}

std::vector<std::string> performance_schema_tables() {
  return {"global_status", "global_variables", "replication_group_member_stats",
          "replication_group_members"};
}

}  // namespace grouter::admin
