// Parsers of the session-relevant statements for the classifier: transaction control, SET and
// ROUTER SET.
#include "routing/statement_parser.h"

#include <array>
#include <optional>
#include <string>
#include <utility>

namespace grouter::routing::sql {
namespace {

constexpr std::size_t kMaxValueBytes = 64;  // longer values are none of the ones we look for

constexpr Token kEndToken{};

Classification unknown() {
  return make(StatementKind::kUnknown, Target::kPrimary);
}

std::optional<std::string> upper_value(std::span<const Token> value) {
  if (value.size() != 1) return std::nullopt;
  std::optional<std::string> text = token_value(value[0], kMaxValueBytes);
  if (!text) return std::nullopt;
  for (char& c : *text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

std::optional<bool> autocommit_value(std::span<const Token> value) {
  const std::optional<std::string> v = upper_value(value);
  if (!v) return std::nullopt;
  if (*v == "1" || *v == "ON" || *v == "TRUE" || *v == "DEFAULT") return true;
  if (*v == "0" || *v == "OFF" || *v == "FALSE") return false;
  return std::nullopt;
}

// group_replication_consistency's values, in the order of their numbers.
constexpr std::array<std::string_view, 5> kConsistencyNames = {
    "EVENTUAL", "BEFORE_ON_PRIMARY_FAILOVER", "BEFORE", "AFTER", "BEFORE_AND_AFTER"};

std::optional<std::string> consistency_value(std::span<const Token> value) {
  std::optional<std::string> v = upper_value(value);
  if (!v) return std::nullopt;
  if (*v == "DEFAULT") return v;
  if (v->size() == 1 && (*v)[0] >= '0' && (*v)[0] <= '4') {
    return std::string(kConsistencyNames[static_cast<std::size_t>((*v)[0] - '0')]);
  }
  for (std::string_view name : kConsistencyNames) {
    if (*v == name) return v;
  }
  return std::nullopt;
}

enum class Scope { kSession, kGlobal, kUser };

struct Assignment {
  Scope scope = Scope::kSession;
  std::string_view name;  // empty for user variables and dotted names
  std::span<const Token> value;
};

// One `[scope] name = value` of a SET, up to a top-level comma.
std::optional<Assignment> parse_assignment(Cursor& cursor) {
  Assignment a;
  if (cursor.accept_any({"GLOBAL", "PERSIST", "PERSIST_ONLY"})) {
    a.scope = Scope::kGlobal;
  } else if (cursor.accept_any({"SESSION", "LOCAL"})) {
  } else if (cursor.accept_punct("@@")) {
    if (is_punct(cursor.peek(1), ".")) {
      if (cursor.accept_any({"GLOBAL", "PERSIST", "PERSIST_ONLY"})) {
        a.scope = Scope::kGlobal;
      } else if (!cursor.accept_any({"SESSION", "LOCAL"})) {
        return std::nullopt;
      }
      cursor.take();  // the dot
    }
  } else if (cursor.accept_punct("@")) {
    a.scope = Scope::kUser;
  }
  const Token& name = cursor.take();
  if (name.kind != TokenKind::kWord && name.kind != TokenKind::kQuotedIdent &&
      !(a.scope == Scope::kUser && name.kind == TokenKind::kString)) {
    return std::nullopt;
  }
  if (a.scope != Scope::kUser) a.name = name.text;
  while (cursor.accept_punct(".")) {  // component.variable
    cursor.take();
    a.name = {};
  }
  if (!cursor.accept_punct("=") && !cursor.accept_punct(":=")) return std::nullopt;
  const std::span<const Token> rest = cursor.rest();
  std::size_t depth = 0;
  std::size_t n = 0;
  for (; n < rest.size(); ++n) {
    if (is_punct(rest[n], "(")) ++depth;
    if (is_punct(rest[n], ")") && depth > 0) --depth;
    if (is_punct(rest[n], ",") && depth == 0) break;
  }
  a.value = rest.first(n);
  for (std::size_t i = 0; i < n; ++i) cursor.take();
  return a;
}

bool is_variable(const Assignment& a, std::string_view upper_name) {
  return a.scope == Scope::kSession && iequals(a.name, upper_name);
}

}  // namespace

const Token& Cursor::peek(std::size_t ahead) const {
  return next_ + ahead < tokens_.size() ? tokens_[next_ + ahead] : kEndToken;
}

bool Cursor::accept(std::string_view keyword) {
  if (!is_keyword(peek(), keyword)) return false;
  ++next_;
  return true;
}

bool Cursor::accept_any(std::initializer_list<std::string_view> keywords) {
  for (std::string_view keyword : keywords) {
    if (accept(keyword)) return true;
  }
  return false;
}

bool Cursor::accept_punct(std::string_view punct) {
  if (!is_punct(peek(), punct)) return false;
  ++next_;
  return true;
}

const Token& Cursor::take() {
  const Token& token = peek();
  if (next_ < tokens_.size()) ++next_;
  return token;
}

Classification make(StatementKind kind, Target target) {
  Classification c;
  c.kind = kind;
  c.target = target;
  return c;
}

Classification parse_begin(Cursor& cursor) {
  if (cursor.accept("NOT")) return make(StatementKind::kWrite, Target::kPrimary);  // NOT ATOMIC
  cursor.accept("WORK");
  if (!cursor.at_end()) return unknown();
  Classification c = make(StatementKind::kBegin, Target::kPrimary);
  c.implicit_commit = true;
  return c;
}

Classification parse_start(Cursor& cursor) {
  if (!cursor.accept("TRANSACTION")) {  // START REPLICA | SLAVE | GROUP_REPLICATION ...
    Classification c = make(StatementKind::kWrite, Target::kPrimary);
    c.implicit_commit = true;
    return c;
  }
  bool read_only = false;
  bool read_write = false;
  while (!cursor.at_end()) {
    if (cursor.accept("WITH")) {
      if (!cursor.accept("CONSISTENT") || !cursor.accept("SNAPSHOT")) return unknown();
    } else if (cursor.accept("READ")) {
      if (cursor.accept("ONLY")) {
        read_only = true;
      } else if (cursor.accept("WRITE")) {
        read_write = true;
      } else {
        return unknown();
      }
    } else {
      return unknown();
    }
    if (!cursor.at_end() && !cursor.accept_punct(",")) return unknown();
  }
  if (read_only && read_write) return unknown();
  Classification c = read_only ? make(StatementKind::kBeginReadOnly, Target::kSecondary)
                               : make(StatementKind::kBegin, Target::kPrimary);
  c.implicit_commit = true;
  return c;
}

Classification parse_commit_or_rollback(Cursor& cursor, StatementKind kind) {
  cursor.accept("WORK");
  if (kind == StatementKind::kRollback && cursor.accept("TO")) {
    return make(StatementKind::kSavepoint, Target::kPrimary);
  }
  Classification c = make(kind, Target::kPrimary);
  if (cursor.accept("AND")) {
    c.chain = !cursor.accept("NO");
    if (!cursor.accept("CHAIN")) return unknown();
  }
  const bool no = cursor.accept("NO");
  if (cursor.accept("RELEASE")) {
    c.release = !no;
  } else if (no) {
    return unknown();
  }
  if (!cursor.at_end() || (c.chain && c.release)) return unknown();
  return c;
}

Classification parse_xa(Cursor& cursor) {
  if (cursor.accept_any({"START", "BEGIN"})) return make(StatementKind::kBegin, Target::kPrimary);
  if (cursor.accept("COMMIT")) return make(StatementKind::kCommit, Target::kPrimary);
  if (cursor.accept("ROLLBACK")) return make(StatementKind::kRollback, Target::kPrimary);
  return make(StatementKind::kWrite, Target::kPrimary);  // END, PREPARE, RECOVER
}

Classification parse_set(Cursor& cursor, const StatementFeatures& features) {
  if (cursor.accept_any({"NAMES", "CHARSET"}) ||
      (cursor.accept("CHARACTER") && cursor.accept("SET"))) {
    return make(StatementKind::kSetNames, Target::kAllConnections);
  }
  if (cursor.accept("PASSWORD")) {
    Classification c = make(StatementKind::kWrite, Target::kPrimary);
    c.implicit_commit = true;
    return c;
  }
  if (cursor.accept("DEFAULT")) return make(StatementKind::kWrite, Target::kPrimary);  // ROLE
  if (cursor.accept("RESOURCE")) return unknown();
  if (cursor.accept_any({"ROLE", "TRANSACTION"})) {
    return make(StatementKind::kSetSession, Target::kAllConnections);
  }
  if (is_keyword(cursor.peek(1), "TRANSACTION")) {
    if (cursor.accept_any({"SESSION", "LOCAL"})) {
      return make(StatementKind::kSetSession, Target::kAllConnections);
    }
    return make(StatementKind::kWrite, Target::kPrimary);  // GLOBAL TRANSACTION
  }

  std::size_t count = 0;
  bool global = false;
  bool session = false;
  bool consistency_seen = false;
  std::optional<std::string> consistency;
  bool autocommit_seen = false;
  std::optional<bool> autocommit;
  do {
    const std::optional<Assignment> a = parse_assignment(cursor);
    if (!a) return unknown();
    ++count;
    (a->scope == Scope::kGlobal ? global : session) = true;
    if (is_variable(*a, "AUTOCOMMIT")) {
      autocommit_seen = true;
      autocommit = autocommit_value(a->value);
    } else if (is_variable(*a, "GROUP_REPLICATION_CONSISTENCY")) {
      consistency_seen = true;
      consistency = consistency_value(a->value);
    }
  } while (cursor.accept_punct(","));
  if (!cursor.at_end()) return unknown();

  if (consistency_seen) {
    if (count != 1) return unknown();
    Classification c = make(StatementKind::kSetConsistency, Target::kRouter);
    c.consistency = std::move(consistency);
    return c;
  }
  // A value only the primary's connection can compute cannot be replayed elsewhere.
  if (features.lock_function || features.primary_function || features.locking_read || global) {
    Classification c = make(StatementKind::kWrite, Target::kPrimary);
    c.pins_session = session;
    return c;
  }
  if (!autocommit_seen) return make(StatementKind::kSetSession, Target::kAllConnections);
  Classification c = make(StatementKind::kSetAutocommit, Target::kAllConnections);
  c.autocommit = autocommit;
  c.implicit_commit = autocommit.value_or(true);
  c.pins_session = !autocommit.has_value();
  return c;
}

Classification parse_router(Cursor& cursor) {
  Classification c = make(StatementKind::kRouterInvalid, Target::kRouter);
  if (!cursor.accept("SET") || !cursor.accept("ACCESS_MODE") || !cursor.accept_punct("=")) {
    return c;
  }
  const Token& value = cursor.take();
  if (value.kind != TokenKind::kString || !cursor.at_end()) return c;
  const std::optional<std::string> mode = upper_value(std::span(&value, 1));
  if (!mode) return c;
  if (*mode == "READ_WRITE") c.access_mode = AccessMode::kReadWrite;
  if (*mode == "READ_ONLY") c.access_mode = AccessMode::kReadOnly;
  if (*mode == "AUTO") c.access_mode = AccessMode::kAuto;
  if (c.access_mode) c.kind = StatementKind::kRouterSetAccessMode;
  return c;
}

}  // namespace grouter::routing::sql
