// What the SQL client hands back: the server's identity after connect, and a query's result
// (a text result set, or the OK of a statement without rows). Plain values, freely copied.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace grouter::metadata::sql {

struct ServerInfo {
  std::string version;              // as announced, MariaDB's "5.5.5-" prefix removed
  std::string announced_version;    // exactly as the greeting carried it
  std::uint32_t connection_id = 0;  // the server's thread id (for KILL)
  bool mariadb = false;             // the greeting marked the server as MariaDB
  std::string auth_plugin;          // the plugin that authenticated the session
};

struct ResultSet {
  std::vector<std::string> columns;  // empty for statements without a result set
  std::vector<std::vector<std::optional<std::string>>> rows;  // nullopt: SQL NULL
  std::uint64_t affected_rows = 0;
  std::uint64_t last_insert_id = 0;
  std::uint16_t warnings = 0;
  std::uint16_t status_flags = 0;  // server_status::k* of the closing OK/EOF

  // Index of the first column named NAME (exact match), if any.
  [[nodiscard]] std::optional<std::size_t> column_index(std::string_view name) const {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return i;
    }
    return std::nullopt;
  }
};

}  // namespace grouter::metadata::sql
