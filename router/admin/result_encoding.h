// An admin-port result as MySQL result-set payloads: the column count, one ColumnDefinition41 per
// column (MySQL's type, length and flags; utf8mb4 for text, binary for numbers), EOF, text rows,
// and the closing EOF (or OK with CLIENT_DEPRECATE_EOF). Framing is the caller's. Pure.
#pragma once

#include <cstdint>

#include "router/admin/sql_eval.h"
#include "routing/local_reply.h"

namespace grouter::admin {

[[nodiscard]] routing::Payloads encode_table(const Table& table, std::uint16_t status_flags,
                                             std::uint32_t capabilities);

}  // namespace grouter::admin
