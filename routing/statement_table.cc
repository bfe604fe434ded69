// The bounded table of prepared statements.
#include "routing/statement_table.h"

namespace grouter::routing {

bool StatementTable::add(std::uint32_t id, const PreparedStatement& statement) {
  auto it = statements_.find(id);
  if (it == statements_.end()) {
    if (!has_room(1)) return false;
    it = statements_.emplace(id, PreparedStatement{}).first;
  }
  set_cursor_open(id, false);
  it->second = statement;
  if (statement.cursor_open) ++open_cursors_;
  return true;
}

void StatementTable::erase(std::uint32_t id) {
  set_cursor_open(id, false);
  statements_.erase(id);
}

void StatementTable::clear() {
  statements_.clear();
  open_cursors_ = 0;
}

const PreparedStatement* StatementTable::find(std::uint32_t id) const {
  auto it = statements_.find(id);
  return it == statements_.end() ? nullptr : &it->second;
}

void StatementTable::set_cursor_open(std::uint32_t id, bool open) {
  auto it = statements_.find(id);
  if (it == statements_.end() || it->second.cursor_open == open) return;
  it->second.cursor_open = open;
  if (open) {
    ++open_cursors_;
  } else {
    --open_cursors_;
  }
}

}  // namespace grouter::routing
