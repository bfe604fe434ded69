// The statement classifier for read/write splitting (MySQL Router's `access_mode = auto`): says of
// one COM_QUERY text where it may run and what it does to the session. Pure, stateless and
// thread-safe; linear in the text, with memory bounded by kHeadTokens whatever the text's size.
// It never fails: what it cannot read is kUnknown, sent to the primary.
//
// It classifies one statement at a time; the session (the caller) applies the rules that need
// state, as MySQL Router does:
//   - while a transaction is open (BEGIN, START TRANSACTION, XA START, or any statement while
//     autocommit is 0), every statement goes to the transaction's server, whatever its target;
//     START TRANSACTION READ ONLY opens it on a secondary, every other opening on the primary;
//   - kAllConnections statements run on the connection in use and are replayed on every other
//     server connection the session opens later;
//   - a pins_session statement keeps the session on the primary from then on;
//   - ROUTER SET access_mode overrides the target for the rest of the session.
// Rules for which statements read and which write follow the MySQL Router manual (8.2+),
// "Read/Write Splitting: Statements", and the implicit commits of the MySQL reference manual.
// Where grouter differs: SET ROLE is replayed on every connection (not sent to the primary only),
// a multi-statement pins the session, and reads that depend on the primary's connection
// (LAST_INSERT_ID(), FOUND_ROWS(), RELEASE_LOCK(), MariaDB sequences) go to the primary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grouter::routing {

enum class StatementKind : std::uint8_t {
  // SELECT, WITH..SELECT, VALUES, TABLE, DO, SHOW, DESCRIBE, EXPLAIN SELECT, HELP
  kRead,
  // DML, DDL, account management, CALL, and statements that hold server state
  kWrite,
  // BEGIN [WORK], START TRANSACTION [READ WRITE | WITH CONSISTENT SNAPSHOT], XA START
  kBegin,
  // START TRANSACTION READ ONLY: the whole transaction may run on a secondary
  kBeginReadOnly,
  // COMMIT [AND [NO] CHAIN] [[NO] RELEASE], XA COMMIT
  kCommit,
  // ROLLBACK [AND [NO] CHAIN] [[NO] RELEASE], XA ROLLBACK
  kRollback,
  // SAVEPOINT, RELEASE SAVEPOINT, ROLLBACK TO: the transaction stays open
  kSavepoint,
  // SET [SESSION] var = ..., SET @user = ..., SET ROLE, SET TRANSACTION
  kSetSession,
  // SET [SESSION] autocommit = ... (maybe with other session variables)
  kSetAutocommit,
  // SET NAMES, SET CHARACTER SET, SET CHARSET
  kSetNames,
  // USE db
  kUse,
  // SET [SESSION] group_replication_consistency = ...: grouter's own
  kSetConsistency,
  // SELECT @@[SESSION.]group_replication_consistency: grouter answers
  kSelectConsistency,
  // ROUTER SET access_mode = 'read_write' | 'read_only' | 'auto'
  kRouterSetAccessMode,
  // any other ROUTER statement: grouter answers a parse error (1064)
  kRouterInvalid,
  // LOCK TABLES, FLUSH TABLES ... WITH READ LOCK | FOR EXPORT
  kLockTables,
  // UNLOCK TABLES
  kUnlockTables,
  // SHOW WARNINGS | ERRORS | COUNT(*) ..., GET DIAGNOSTICS
  kShowDiagnostics,
  // two or more statements in one text
  kMultiStatement,
  // empty, unreadable or not recognised
  kUnknown,
};

enum class Target : std::uint8_t {
  kPrimary,         // must run on the primary (some reads too: FOR UPDATE, SHOW CREATE, ...)
  kSecondary,       // may run on a secondary (outside a transaction)
  kAllConnections,  // session state: run here and replay on every server connection of the session
  kRouter,          // grouter answers it itself; never forwarded
  kPrevious,        // where the previous statement ran (its warnings and errors are there)
};

enum class AccessMode : std::uint8_t { kReadWrite, kReadOnly, kAuto };

struct Classification {
  StatementKind kind = StatementKind::kUnknown;
  Target target = Target::kPrimary;
  // The session must stay on the primary from now on: CREATE TEMPORARY TABLE, GET_LOCK() and the
  // other user-lock functions, LOCK TABLES, user variables assigned by a query (SELECT .. INTO @v,
  // @v := ..), PREPARE, HANDLER, multi-statements, and SETs whose value cannot be replayed.
  bool pins_session = false;
  // Commits an open transaction before running (DDL, LOCK TABLES, BEGIN, ...). SET autocommit = 1
  // and UNLOCK TABLES have it too: they commit only if a transaction (or a lock) is open.
  bool implicit_commit = false;
  bool chain = false;    // COMMIT/ROLLBACK AND CHAIN: a new transaction starts at once
  bool release = false;  // COMMIT/ROLLBACK RELEASE: the server closes the connection
  // kSetAutocommit: the value set, or nullopt if it is not a literal (treat as 0 and pin).
  std::optional<bool> autocommit;
  // kRouterSetAccessMode: the mode asked for.
  std::optional<AccessMode> access_mode;
  // kSetConsistency: EVENTUAL, BEFORE_ON_PRIMARY_FAILOVER, BEFORE, AFTER, BEFORE_AND_AFTER or
  // DEFAULT (upper case; numbers 0..4 are mapped to names); nullopt if the value is not one of
  // them.
  std::optional<std::string> consistency;
  // kSelectConsistency: the result column's name: the variable or the alias as the client wrote
  // it (an alias keeps its quotes).
  std::string column_name;

  bool operator==(const Classification&) const = default;
};

// How many tokens of a statement are kept for parsing its structure. Anything in a longer
// statement still counts (a `FOR UPDATE` at the end of a long SELECT), but a SET longer than
// this is kUnknown (and pins the session), and so is a ROUTER SET or transaction statement.
inline constexpr std::size_t kHeadTokens = 256;

[[nodiscard]] Classification classify(std::string_view sql);

std::string_view to_string(StatementKind kind);
std::string_view to_string(Target target);
std::string_view to_string(AccessMode mode);

}  // namespace grouter::routing
