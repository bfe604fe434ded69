// The session's prepared statements by client id.
#include "routing/statement_map.h"

#include <algorithm>

#include "protocol/mysql_wire/command.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

constexpr std::size_t kIdOffset = 1;
// COM_STMT_EXECUTE: command, id (4), flags (1), iteration count (4), then the null bitmap.
constexpr std::size_t kExecuteBitmapOffset = 10;

std::uint32_t read_u32(std::span<const std::uint8_t> bytes, std::size_t at) {
  return static_cast<std::uint32_t>(bytes[at]) | static_cast<std::uint32_t>(bytes[at + 1]) << 8 |
         static_cast<std::uint32_t>(bytes[at + 2]) << 16 |
         static_cast<std::uint32_t>(bytes[at + 3]) << 24;
}

void write_u32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

}  // namespace

bool StatementMap::id_taken(std::uint32_t id) const {
  return id == 0 || id == kLastPrepared || statements_.contains(id);
}

std::uint32_t StatementMap::on_prepared(std::uint32_t server_id, std::uint16_t params,
                                        std::string sql) {
  if (statements_.size() >= kMaxStatements) {
    overflowed_ = true;  // the server's own bound is the same; it refuses more
    return server_id;
  }
  std::uint32_t client_id = server_id;
  if (id_taken(client_id)) {
    client_id = statements_.empty() ? 1 : statements_.rbegin()->first + 1;
    while (id_taken(client_id)) ++client_id;  // ends: fewer than kMaxStatements are taken
  }
  Statement statement;
  statement.params = params;
  statement.server_id = server_id;
  if (sql_bytes_ + sql.size() > kMaxSqlBytes) {
    overflowed_ = true;  // kept without its SQL: it cannot be prepared again elsewhere
  } else {
    sql_bytes_ += sql.size();
    statement.sql = std::move(sql);
  }
  statements_[client_id] = std::move(statement);
  last_prepared_ = client_id;
  return client_id;
}

bool StatementMap::to_primary(std::vector<std::uint8_t>& payload, bool insert_allowed) {
  if (payload.size() < kIdOffset + 4) return true;
  const std::uint32_t named = read_u32(payload, kIdOffset);
  const std::uint32_t client_id = named == kLastPrepared ? last_prepared_ : named;
  auto it = statements_.find(client_id);
  if (it == statements_.end()) return true;
  Statement& statement = it->second;
  const auto command = static_cast<wire::Command>(payload[0]);
  if (command == wire::Command::kStmtExecute && statement.params > 0) {
    const std::size_t bound_at = kExecuteBitmapOffset + (statement.params + 7u) / 8u;
    const std::size_t types_size = 2u * statement.params;
    if (payload.size() > bound_at && payload[bound_at] == 1 &&
        payload.size() >= bound_at + 1 + types_size) {
      statement.types.assign(payload.begin() + static_cast<std::ptrdiff_t>(bound_at + 1),
                             payload.begin() + static_cast<std::ptrdiff_t>(bound_at + 1 + types_size));
      statement.server_has_types = true;
    } else if (payload.size() > bound_at && payload[bound_at] == 0 && !statement.server_has_types &&
               statement.types.size() == types_size) {
      if (!insert_allowed) return false;
      payload[bound_at] = 1;
      payload.insert(payload.begin() + static_cast<std::ptrdiff_t>(bound_at + 1),
                     statement.types.begin(), statement.types.end());
      statement.server_has_types = true;
    }
  }
  write_u32(payload, kIdOffset, statement.server_id);
  switch (command) {
    case wire::Command::kStmtSendLongData:
      statement.long_data = true;
      break;
    case wire::Command::kStmtExecute:
    case wire::Command::kStmtReset:
      statement.long_data = false;
      break;
    case wire::Command::kStmtClose:
      sql_bytes_ -= statement.sql.size();
      statements_.erase(it);
      break;
    default:
      break;
  }
  return true;
}

std::vector<std::string> StatementMap::begin_reprepare() {
  reprepare_order_.clear();
  std::vector<std::string> sqls;
  for (auto& [client_id, statement] : statements_) {
    reprepare_order_.push_back(client_id);
    sqls.push_back(statement.sql);
    statement.server_has_types = false;
  }
  return sqls;
}

void StatementMap::on_reprepared(std::size_t index, std::uint32_t server_id) {
  if (index >= reprepare_order_.size()) return;
  auto it = statements_.find(reprepare_order_[index]);
  if (it != statements_.end()) it->second.server_id = server_id;
}

void StatementMap::clear() {
  statements_.clear();
  sql_bytes_ = 0;
  last_prepared_ = 0;
  overflowed_ = false;
  reprepare_order_.clear();
}

bool StatementMap::long_data_pending() const {
  return std::any_of(statements_.begin(), statements_.end(),
                     [](const auto& entry) { return entry.second.long_data; });
}

}  // namespace grouter::routing
