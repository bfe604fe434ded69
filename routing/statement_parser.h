// Internal to the classifier: a cursor over a statement's head tokens, and the parsers of the
// statements whose structure matters to the session (SET, ROUTER SET, transaction control).
// Pure; the tokens are views into the caller's text.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>

#include "routing/classifier.h"
#include "routing/sql_tokenizer.h"
#include "routing/statement_scan.h"

namespace grouter::routing::sql {

class Cursor {
 public:
  explicit Cursor(std::span<const Token> tokens) : tokens_(tokens) {}

  bool at_end() const { return next_ >= tokens_.size(); }
  // The token AHEAD places on, or a kEnd token past the end.
  const Token& peek(std::size_t ahead = 0) const;
  // Consumes the next token if it is the unqualified word KEYWORD (upper case) / the punctuation.
  bool accept(std::string_view keyword);
  bool accept_any(std::initializer_list<std::string_view> keywords);
  bool accept_punct(std::string_view punct);
  // Consumes and returns the next token (kEnd past the end).
  const Token& take();
  std::span<const Token> rest() const { return tokens_.subspan(next_); }

 private:
  std::span<const Token> tokens_;
  std::size_t next_ = 0;
};

Classification make(StatementKind kind, Target target);

// After the verb: the rest of BEGIN / START / COMMIT / ROLLBACK / SAVEPOINT / RELEASE / XA.
Classification parse_begin(Cursor& cursor);
Classification parse_start(Cursor& cursor);
Classification parse_commit_or_rollback(Cursor& cursor, StatementKind kind);
Classification parse_xa(Cursor& cursor);

// After SET: assignments, SET NAMES, SET TRANSACTION, ... (not SET STATEMENT, see classifier.cc).
Classification parse_set(Cursor& cursor, const StatementFeatures& features);

// After ROUTER.
Classification parse_router(Cursor& cursor);

}  // namespace grouter::routing::sql
