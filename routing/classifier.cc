// The statement classifier: tokenizes the text once, scans its first statement, and classifies
// that statement by its verb.
#include "routing/classifier.h"

#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "routing/sql_tokenizer.h"
#include "routing/statement_parser.h"
#include "routing/statement_scan.h"

namespace grouter::routing {
namespace {

using sql::Cursor;
using sql::is_keyword;
using sql::is_punct;
using sql::make;
using sql::StatementFeatures;
using sql::Token;
using sql::TokenKind;

// SET STATEMENT ... FOR SET STATEMENT ... FOR: how deep a nested statement is read.
constexpr int kMaxNesting = 4;

Classification unknown() {
  return make(StatementKind::kUnknown, Target::kPrimary);
}

Classification write(bool implicit_commit = false) {
  Classification c = make(StatementKind::kWrite, Target::kPrimary);
  c.implicit_commit = implicit_commit;
  return c;
}

// A read, sent to the primary (and maybe pinned) for what the scan found in it. DML_VERB: the
// statement can carry a data-changing statement (WITH, EXPLAIN, ANALYZE).
Classification read(const StatementFeatures& f, bool dml_verb) {
  if (dml_verb && f.top_level_dml) return write();
  Classification c = make(StatementKind::kRead, Target::kSecondary);
  if (f.lock_function || f.into_user_var || f.user_var_assign) c.pins_session = true;
  if (c.pins_session || f.into || f.locking_read || f.primary_function) c.target = Target::kPrimary;
  return c;
}

// SELECT @@[SESSION. | LOCAL.]group_replication_consistency [[AS] alias]: the result column's
// name, or nullopt for any other SELECT.
std::optional<std::string_view> select_consistency_column(Cursor cursor) {
  const Token& at = cursor.peek();
  if (!cursor.accept_punct("@@")) return std::nullopt;
  if (is_punct(cursor.peek(1), ".")) {
    if (!cursor.accept_any({"SESSION", "LOCAL"})) return std::nullopt;
    cursor.take();
  }
  const Token& name = cursor.take();
  if (name.kind != TokenKind::kWord || !sql::iequals(name.text, "GROUP_REPLICATION_CONSISTENCY")) {
    return std::nullopt;
  }
  std::string_view column(
      at.text.data(),
      static_cast<std::size_t>(name.text.data() + name.text.size() - at.text.data()));
  if (cursor.accept("AS") || (!cursor.at_end() && cursor.peek().kind != TokenKind::kPunct)) {
    const Token& alias = cursor.take();
    if (alias.kind == TokenKind::kPunct || alias.kind == TokenKind::kEnd) return std::nullopt;
    column = alias.text;  // quoted as written; the caller strips the quotes
  }
  if (!cursor.at_end()) return std::nullopt;
  return column;
}

Classification show(Cursor& cursor) {
  if (cursor.accept_any({"WARNINGS", "ERRORS"}) ||
      (cursor.accept("COUNT") && cursor.accept_punct("("))) {
    return make(StatementKind::kShowDiagnostics, Target::kPrevious);
  }
  // The manual's read-write SHOWs (SHOW CREATE, VARIABLES, STATUS), and the primary's binlog.
  cursor.accept_any({"GLOBAL", "SESSION", "LOCAL"});
  if (cursor.accept_any(
          {"CREATE", "VARIABLES", "STATUS", "MASTER", "BINARY", "BINLOG", "REPLICAS"}) ||
      (cursor.accept("SLAVE") && cursor.accept("HOSTS"))) {
    return make(StatementKind::kRead, Target::kPrimary);
  }
  return make(StatementKind::kRead, Target::kSecondary);
}

// CREATE / ALTER / DROP: DDL, committing implicitly unless on a temporary table.
Classification ddl(Cursor& cursor, bool create) {
  if (!create && cursor.accept("PREPARE")) return write();  // DROP PREPARE
  if (create && cursor.accept("OR")) cursor.accept("REPLACE");
  if (cursor.accept("TEMPORARY")) {
    Classification c = write();
    c.pins_session = create;
    return c;
  }
  return write(true);
}

Classification classify_statement(std::span<const Token> head, bool head_complete,
                                  const StatementFeatures& f, int nesting);

// Each of these classifies the statements of one group by their VERB (already taken from the
// cursor), or says nullopt for a verb not of its group.

std::optional<Classification> read_verb(const Token& verb, Cursor& cursor,
                                        const StatementFeatures& f) {
  auto is = [&](std::string_view keyword) { return is_keyword(verb, keyword); };
  if (is("SELECT")) {
    if (const auto column = select_consistency_column(cursor)) {
      Classification c = make(StatementKind::kSelectConsistency, Target::kRouter);
      c.column_name = std::string(*column);
      return c;
    }
    return read(f, false);
  }
  if (is("ANALYZE") && cursor.accept_any({"TABLE", "NO_WRITE_TO_BINLOG", "LOCAL"})) {
    return write(true);  // ANALYZE TABLE; MariaDB's ANALYZE SELECT | UPDATE ... runs the statement
  }
  if (is("WITH") || is("EXPLAIN") || is("DESCRIBE") || is("DESC") || is("ANALYZE")) {
    return read(f, true);
  }
  if (is("VALUES") || is("TABLE") || is("DO") || is("HELP") || is("CHECKSUM")) {
    return read(f, false);
  }
  if (is("SHOW")) return show(cursor);
  return std::nullopt;
}

// SET, USE, transaction control, ROUTER and GET DIAGNOSTICS.
std::optional<Classification> session_verb(const Token& verb, Cursor& cursor, bool head_complete,
                                           const StatementFeatures& f, int nesting) {
  auto is = [&](std::string_view keyword) { return is_keyword(verb, keyword); };
  if (is("SET")) {
    if (!head_complete) {  // too long to read its assignments, so they cannot be replayed
      Classification c = unknown();
      c.pins_session = true;
      return c;
    }
    if (!cursor.accept("STATEMENT")) return sql::parse_set(cursor, f);
    // MariaDB's SET STATEMENT var = value [, ...] FOR statement: the statement decides.
    for (std::size_t i = 0, depth = 0; i < cursor.rest().size(); ++i) {
      const Token& t = cursor.rest()[i];
      if (is_punct(t, "(")) ++depth;
      if (is_punct(t, ")") && depth > 0) --depth;
      if (depth == 0 && is_keyword(t, "FOR")) {
        return classify_statement(cursor.rest().subspan(i + 1), head_complete, f, nesting + 1);
      }
    }
    return unknown();
  }
  if (is("USE")) return make(StatementKind::kUse, Target::kAllConnections);
  if (is("BEGIN")) return sql::parse_begin(cursor);
  if (is("START")) return sql::parse_start(cursor);
  if (is("COMMIT")) return sql::parse_commit_or_rollback(cursor, StatementKind::kCommit);
  if (is("ROLLBACK")) return sql::parse_commit_or_rollback(cursor, StatementKind::kRollback);
  if (is("SAVEPOINT") || (is("RELEASE") && cursor.accept("SAVEPOINT"))) {
    return make(StatementKind::kSavepoint, Target::kPrimary);
  }
  if (is("XA")) return sql::parse_xa(cursor);
  if (is("ROUTER")) return sql::parse_router(cursor);
  if (is("GET") && (cursor.accept("DIAGNOSTICS") ||
                    (cursor.accept_any({"CURRENT", "STACKED"}) && cursor.accept("DIAGNOSTICS")))) {
    return make(StatementKind::kShowDiagnostics, Target::kPrevious);
  }
  return std::nullopt;
}

// LOCK, UNLOCK, FLUSH and the statements that leave state in the server's connection.
std::optional<Classification> lock_verb(const Token& verb, Cursor& cursor) {
  auto is = [&](std::string_view keyword) { return is_keyword(verb, keyword); };
  const bool lock_tables = (is("LOCK") && cursor.accept_any({"TABLE", "TABLES"})) ||
                           (is("FLUSH") && std::ranges::any_of(cursor.rest(), [](const Token& t) {
                              // FLUSH TABLES ... WITH READ LOCK | FOR EXPORT
                              return is_keyword(t, "LOCK") || is_keyword(t, "EXPORT");
                            }));
  if (lock_tables) {
    Classification c = make(StatementKind::kLockTables, Target::kPrimary);
    c.pins_session = true;
    c.implicit_commit = true;
    return c;
  }
  if (is("UNLOCK") && cursor.accept_any({"TABLE", "TABLES"})) {
    Classification c = make(StatementKind::kUnlockTables, Target::kPrimary);
    c.implicit_commit = true;
    return c;
  }
  if (is("FLUSH")) return write(true);
  if (is("UNLOCK")) return write();  // UNLOCK INSTANCE
  // LOCK INSTANCE FOR BACKUP, prepared statements, open handlers, MariaDB's BACKUP STAGE.
  if (is("LOCK") || is("PREPARE") || is("EXECUTE") || is("DEALLOCATE") || is("HANDLER") ||
      is("BACKUP")) {
    Classification c = write();
    c.pins_session = true;
    return c;
  }
  return std::nullopt;
}

// DML, DDL, account management and administration.
std::optional<Classification> write_verb(const Token& verb, Cursor& cursor,
                                         const StatementFeatures& f) {
  auto is = [&](std::string_view keyword) { return is_keyword(verb, keyword); };
  if (is("CREATE") || is("ALTER") || is("DROP")) return ddl(cursor, is("CREATE"));
  if (is("RENAME") || is("TRUNCATE") || is("GRANT") || is("REVOKE") || is("INSTALL") ||
      is("UNINSTALL") || is("OPTIMIZE") || is("REPAIR") || is("CHECK") || is("CACHE") ||
      is("CHANGE") || is("STOP") || (is("RESET") && !cursor.accept("PERSIST")) ||
      (is("LOAD") && cursor.accept("INDEX"))) {
    return write(true);  // the MySQL manual's statements that cause an implicit commit
  }
  if (is("INSERT") || is("UPDATE") || is("DELETE") || is("REPLACE") || is("CALL") || is("LOAD") ||
      is("IMPORT") || is("PURGE") || is("RESET")) {  // RESET PERSIST
    Classification c = write();
    c.pins_session = f.lock_function || f.user_var_assign;
    return c;
  }
  return std::nullopt;
}

Classification classify_verb(Cursor& cursor, bool head_complete, const StatementFeatures& f,
                             int nesting) {
  const Token& verb = cursor.take();
  if (auto c = read_verb(verb, cursor, f)) return *c;
  if (auto c = session_verb(verb, cursor, head_complete, f, nesting)) return *c;
  if (auto c = lock_verb(verb, cursor)) return *c;
  if (auto c = write_verb(verb, cursor, f)) return *c;
  return unknown();
}

Classification classify_statement(std::span<const Token> head, bool head_complete,
                                  const StatementFeatures& f, int nesting) {
  if (nesting > kMaxNesting) return unknown();
  Cursor cursor(head);
  bool parenthesized = false;
  while (cursor.accept_punct("(")) parenthesized = true;
  if (parenthesized && !is_keyword(cursor.peek(), "SELECT") && !is_keyword(cursor.peek(), "WITH") &&
      !is_keyword(cursor.peek(), "VALUES") && !is_keyword(cursor.peek(), "TABLE")) {
    return unknown();
  }
  return classify_verb(cursor, head_complete, f, nesting);
}

}  // namespace

Classification classify(std::string_view sql) {
  sql::Tokenizer tokenizer(sql);
  sql::StatementScan scan(kHeadTokens);
  for (;;) {
    const Token token = tokenizer.next();
    if (token.kind == TokenKind::kError) return unknown();
    if (token.kind == TokenKind::kEnd) break;
    if (is_punct(token, ";")) {
      if (scan.empty()) continue;  // leading or repeated `;`
      // One statement ends here; only `;`, whitespace and comments may follow.
      for (Token rest = tokenizer.next(); rest.kind != TokenKind::kEnd; rest = tokenizer.next()) {
        if (rest.kind == TokenKind::kError) return unknown();
        if (!is_punct(rest, ";")) {
          Classification c = make(StatementKind::kMultiStatement, Target::kPrimary);
          c.pins_session = true;  // what the statements do to the session is not tracked
          return c;
        }
      }
      break;
    }
    scan.add(token);
  }
  return classify_statement(scan.head(), scan.head_complete(), scan.features(), 0);
}

std::string_view to_string(StatementKind kind) {
  switch (kind) {
    case StatementKind::kRead:
      return "read";
    case StatementKind::kWrite:
      return "write";
    case StatementKind::kBegin:
      return "begin";
    case StatementKind::kBeginReadOnly:
      return "begin-read-only";
    case StatementKind::kCommit:
      return "commit";
    case StatementKind::kRollback:
      return "rollback";
    case StatementKind::kSavepoint:
      return "savepoint";
    case StatementKind::kSetSession:
      return "set-session";
    case StatementKind::kSetAutocommit:
      return "set-autocommit";
    case StatementKind::kSetNames:
      return "set-names";
    case StatementKind::kUse:
      return "use";
    case StatementKind::kSetConsistency:
      return "set-consistency";
    case StatementKind::kSelectConsistency:
      return "select-consistency";
    case StatementKind::kRouterSetAccessMode:
      return "router-set-access-mode";
    case StatementKind::kRouterInvalid:
      return "router-invalid";
    case StatementKind::kLockTables:
      return "lock-tables";
    case StatementKind::kUnlockTables:
      return "unlock-tables";
    case StatementKind::kShowDiagnostics:
      return "show-diagnostics";
    case StatementKind::kMultiStatement:
      return "multi-statement";
    case StatementKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view to_string(Target target) {
  switch (target) {
    case Target::kPrimary:
      return "primary";
    case Target::kSecondary:
      return "secondary";
    case Target::kAllConnections:
      return "all-connections";
    case Target::kRouter:
      return "router";
    case Target::kPrevious:
      return "previous";
  }
  return "unknown";
}

std::string_view to_string(AccessMode mode) {
  switch (mode) {
    case AccessMode::kReadWrite:
      return "read_write";
    case AccessMode::kReadOnly:
      return "read_only";
    case AccessMode::kAuto:
      return "auto";
  }
  return "unknown";
}

}  // namespace grouter::routing
