// The admin port's SQL parser: one statement's text (a trailing ';' allowed) to a Statement
// (sql_ast.h), or a 1064 syntax error naming where it stopped and what it expected. Keywords and
// identifiers are case-insensitive; identifiers may be `backquoted` and schema-qualified. It
// reads only the statements the admin port runs (HELP lists them); anything else is a syntax
// error that says so. Pure; nesting is bounded (kMaxDepth), so hostile input cannot exhaust the
// stack.
#pragma once

#include <cstddef>
#include <expected>
#include <string_view>

#include "router/admin/sql_ast.h"

namespace grouter::admin {

inline constexpr std::size_t kMaxDepth = 64;
inline constexpr std::size_t kMaxStatementBytes = 64 * 1024;

[[nodiscard]] std::expected<Statement, SqlError> parse_statement(std::string_view sql);

// The 1064 error for SQL, naming NEAR (the text from where parsing stopped) and WHY.
[[nodiscard]] SqlError syntax_error(std::string_view near, std::string_view why);

}  // namespace grouter::admin
