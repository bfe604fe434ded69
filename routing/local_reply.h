// Replies grouter itself sends a client in the command phase of a terminated session (ROUTER
// SET, the session's group_replication_consistency, refusals): payloads laid out by the client's
// capabilities, to be framed with the command's next sequence ids. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/mysql_wire/result_set.h"

namespace grouter::routing {

using Payloads = std::vector<std::vector<std::uint8_t>>;

// OK with STATUS_FLAGS.
Payloads ok_reply(std::uint16_t status_flags, std::uint32_t capabilities);
// ERR with CODE, SQL_STATE and MESSAGE.
Payloads err_reply(std::uint16_t code, const std::string& sql_state, const std::string& message,
                   std::uint32_t capabilities);
// A text result set: the column count, COLUMNS' definitions, [EOF,] ROWS, and EOF (or OK with
// CLIENT_DEPRECATE_EOF).
Payloads result_set_reply(const std::vector<mysql_wire::ColumnDefinition>& columns,
                          const std::vector<mysql_wire::TextRow>& rows, std::uint16_t status_flags,
                          std::uint32_t capabilities, std::uint32_t mariadb_capabilities);
// A text result set of one column NAME and one row holding VALUE (nullopt: NULL).
Payloads one_value_reply(const std::string& name, const std::optional<std::string>& value,
                         std::uint16_t status_flags, std::uint32_t capabilities,
                         std::uint32_t mariadb_capabilities);

}  // namespace grouter::routing
