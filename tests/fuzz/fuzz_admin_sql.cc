// libFuzzer target `admin_sql`: parses arbitrary bytes as an admin-port statement
// (router/admin/sql_parser.h) and, when it is a SELECT, runs it over a small table and encodes
// the result. It must never crash, read out of bounds or hang; a refusal must be a MySQL error
// with a code and a message, and a result must have one value per column in every row.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "router/admin/result_encoding.h"
#include "router/admin/sql_eval.h"
#include "router/admin/sql_parser.h"

using namespace grouter::admin;

namespace {

void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "admin_sql invariant broken: %s\n", what);
  std::abort();
}

class Env final : public Environment {
 public:
  std::expected<Value, SqlError> variable(const std::string&,
                                          const std::string& name) const override {
    if (name == "x") return Value{std::int64_t{1}};
    return std::unexpected(SqlError{1193, "HY000", "Unknown system variable"});
  }
  std::expected<Value, SqlError> function(const std::string&,
                                          const std::vector<Value>& args) const override {
    if (args.empty()) return Value{std::string("f")};
    return std::unexpected(SqlError{1305, "42000", "no such function"});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_statement(sql);
  if (!parsed) {
    expect(parsed.error().code != 0 && !parsed.error().message.empty(), "an error without a code");
    return 0;
  }
  const auto* select = std::get_if<Select>(&*parsed);
  if (select == nullptr) return 0;
  const Table table{"s",
                    "t",
                    {char_column("A", 10), int_column("B"), text_column("C")},
                    {{std::string("a"), std::int64_t{1}, Value{}},
                     {std::string("B"), std::int64_t{-2}, std::string("x%")},
                     {Value{}, std::int64_t{3}, std::string("")}}};
  auto result = run_select(*select, select->from ? &table : nullptr, Env());
  if (!result) {
    expect(result.error().code != 0 && !result.error().message.empty(), "an error without a code");
    return 0;
  }
  for (const Row& row : result->rows) expect(row.size() == result->columns.size(), "a ragged row");
  expect(result->rows.size() <= 3 || !select->from, "more rows than the table has");
  const auto payloads = encode_table(*result, 2, 0x200);
  expect(payloads.size() == result->columns.size() + result->rows.size() + 3, "a result's shape");
  return 0;
}
