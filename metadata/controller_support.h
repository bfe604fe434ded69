// Small helpers the group controller's source files share (group_controller*.cc only): wall-clock
// time, SQL string literals, the first row's value of a result column.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "metadata/gtid.h"
#include "metadata/sql/sql_connection.h"

namespace grouter::metadata {

// Milliseconds since the Unix epoch (view ids, REST times); decisions use monotonic_ms().
inline int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A string literal for SQL: quotes and backslashes escaped.
inline std::string quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

// The first row's value in COLUMN; empty when there is no row, no such column or it is NULL.
inline std::string position_column(const sql::ResultSet& result, size_t column) {
  if (result.rows.empty() || result.rows[0].size() <= column || !result.rows[0][column]) return "";
  return *result.rows[0][column];
}

}  // namespace grouter::metadata
