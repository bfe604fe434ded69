// The prepared statements a server connection holds, as its replies announced them: statement id
// to parameter and column counts, and whether a cursor is open on it. Bounded by kMaxStatements;
// the tracker refuses a COM_STMT_PREPARE that could pass the bound before it reaches the server.
// Plain value; one per server connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace grouter::routing {

struct PreparedStatement {
  std::uint16_t param_count = 0;
  std::uint16_t column_count = 0;
  bool cursor_open = false;

  bool operator==(const PreparedStatement&) const = default;
};

class StatementTable {
 public:
  static constexpr std::size_t kMaxStatements = 65536;

  std::size_t size() const { return statements_.size(); }
  // Room for COUNT more statements.
  bool has_room(std::size_t count) const { return statements_.size() + count <= kMaxStatements; }
  // Adds or replaces ID (a server reuses the ids of closed statements). False, and nothing added,
  // when the table is full.
  bool add(std::uint32_t id, const PreparedStatement& statement);
  void erase(std::uint32_t id);
  void clear();
  const PreparedStatement* find(std::uint32_t id) const;
  // Sets the cursor state of ID, when it is known.
  void set_cursor_open(std::uint32_t id, bool open);
  std::size_t open_cursors() const { return open_cursors_; }

 private:
  std::unordered_map<std::uint32_t, PreparedStatement> statements_;
  std::size_t open_cursors_ = 0;
};

}  // namespace grouter::routing
