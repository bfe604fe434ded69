// The admin port's evaluator: expressions over one row, and SELECT (columns or *, WHERE, ORDER BY,
// LIMIT/OFFSET) over one in-memory table, or over no table. Comparisons follow MySQL's rules for
// these tables: numbers compare as numbers, text case-insensitively (the tables' collation is
// case-insensitive), NULL makes a comparison unknown (three-valued logic). Pure.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/mysql_wire/column_type.h"
#include "router/admin/sql_ast.h"

namespace grouter::admin {

// A result column as the client sees it in the column definition.
struct Column {
  std::string name;
  mysql_wire::ColumnType type = mysql_wire::ColumnType::kVarString;
  std::uint32_t length = 0;  // display length in bytes (characters × 4 for utf8mb4 text)
  std::uint16_t flags = 0;   // NOT_NULL, UNSIGNED, BLOB ...
};

namespace column_flag {
inline constexpr std::uint16_t kNotNull = 1;
inline constexpr std::uint16_t kBlob = 16;
inline constexpr std::uint16_t kUnsigned = 32;
}  // namespace column_flag

// Column makers with MySQL's definitions: CHAR(n)/VARCHAR(n) utf8mb4, INT, BIGINT UNSIGNED, TEXT.
Column char_column(std::string name, std::uint32_t characters);
Column varchar_column(std::string name, std::uint32_t characters);
Column int_column(std::string name);
Column bigint_unsigned_column(std::string name);
Column text_column(std::string name);

using Row = std::vector<Value>;

struct Table {
  std::string schema;
  std::string name;
  std::vector<Column> columns;
  std::vector<Row> rows;
};

// What an expression may look up besides the row's columns.
class Environment {
 public:
  virtual ~Environment() = default;
  // @@SCOPE.NAME (SCOPE "", "global" or "session"; NAME lower case).
  [[nodiscard]] virtual std::expected<Value, SqlError> variable(const std::string& scope,
                                                                const std::string& name) const = 0;
  // NAME(ARGS) (NAME lower case).
  [[nodiscard]] virtual std::expected<Value, SqlError> function(
      const std::string& name, const std::vector<Value>& args) const = 0;
};

// EXPR's value for ROW of TABLE (both null outside a FROM). CLAUSE names where the expression
// stands in an unknown-column error ("field list", "where clause", "order clause").
[[nodiscard]] std::expected<Value, SqlError> evaluate(const Expr& expr, const Table* table,
                                                      const Row* row, const Environment& env,
                                                      std::string_view clause);

// Runs SELECT over FROM (null: a SELECT without FROM, one row).
[[nodiscard]] std::expected<Table, SqlError> run_select(const Select& select, const Table* from,
                                                        const Environment& env);

// Only the rows of TABLE that WHERE (may be null) holds for.
[[nodiscard]] std::expected<Table, SqlError> filter_rows(Table table, const Expr* where,
                                                         const Environment& env);

// MySQL's LIKE: '%' any run, '_' one character, '\' escapes; case-insensitive (ASCII).
[[nodiscard]] bool like_matches(std::string_view text, std::string_view pattern);

// <0, 0, >0; neither may be NULL.
[[nodiscard]] int compare_values(const Value& a, const Value& b);

// A value as text (NULL: nullopt), as a text result row carries it.
[[nodiscard]] std::optional<std::string> to_text(const Value& v);

}  // namespace grouter::admin
