// The statements grouter's admin SQL port understands, as its parser (sql_parser.h) produces them,
// and the error every layer of the admin port reports: a MySQL error code, SQL state and message.
// Plain values: expressions are shared immutable trees, copied freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace grouter::admin {

// An error as the client gets it (ERR packet).
struct SqlError {
  std::uint16_t code = 0;
  std::string sql_state;
  std::string message;
};

// A SQL value: NULL, an integer or text.
using Value = std::variant<std::monostate, std::int64_t, std::string>;

inline bool is_null(const Value& v) {
  return std::holds_alternative<std::monostate>(v);
}

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind {
    kLiteral,   // value
    kColumn,    // name (qualifier: the table or schema.table written before it, if any)
    kVariable,  // @@name; qualifier: "global", "session" or "" (lower case)
    kFunction,  // name(args)
    kNot,       // NOT args[0]
    kNegate,    // -args[0]
    kAnd,       // args[0] AND args[1]
    kOr,        // args[0] OR args[1]
    kCompare,   // args[0] op args[1]; op is =, <>, <, >, <=, >= (!= is read as <>)
    kIn,        // args[0] [NOT] IN (args[1..])
    kLike,      // args[0] [NOT] LIKE args[1]
    kIsNull,    // args[0] IS [NOT] NULL
  };
  Kind kind = Kind::kLiteral;
  Value value;
  std::string name;
  std::string qualifier;
  std::string op;
  bool negated = false;
  std::vector<ExprPtr> args;
};

struct SelectItem {
  ExprPtr expr;       // null: `*`
  std::string label;  // the column's name in the result: the alias, or the text as written
};

struct OrderItem {
  ExprPtr expr;  // a column, alias or (literal integer) position
  bool descending = false;
};

struct TableName {
  std::string schema;  // "" when not written
  std::string name;
};

struct Select {
  std::vector<SelectItem> items;
  std::optional<TableName> from;
  ExprPtr where;  // null: none
  std::vector<OrderItem> order_by;
  std::optional<std::uint64_t> limit;
  std::uint64_t offset = 0;
};

// SET [GLOBAL|SESSION] name = value, ...; SET NAMES x / SET CHARACTER SET x become one item named
// "names" / "character_set".
struct SetItem {
  enum class Scope { kNone, kSession, kGlobal };
  Scope scope = Scope::kNone;
  std::string name;  // lower case
  ExprPtr value;
};

struct Set {
  std::vector<SetItem> items;
};

struct Show {
  enum class Kind { kDatabases, kTables, kStatus, kVariables, kWarnings, kErrors, kPlugins };
  Kind kind = Kind::kDatabases;
  std::optional<std::string> like;  // LIKE 'pattern'
  ExprPtr where;                    // WHERE ... over the listing's columns
  std::string from;                 // SHOW TABLES FROM db
};

struct Use {
  std::string name;
};

// START GROUP_REPLICATION / STOP GROUP_REPLICATION.
struct GroupReplicationCommand {
  bool start = true;
};

struct Help {};

using Statement = std::variant<Select, Set, Show, Use, GroupReplicationCommand, Help>;

}  // namespace grouter::admin
