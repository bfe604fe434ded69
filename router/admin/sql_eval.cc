// Expressions, filtering, ordering and projection over an in-memory table.
#include "router/admin/sql_eval.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "routing/sql_tokenizer.h"

namespace grouter::admin {
namespace {

namespace wire = grouter::mysql_wire;
constexpr std::uint16_t kUtf8mb4Bytes = 4;

char fold(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return fold(x) == fold(y); });
}

// The integer a text holds as a whole ("42", "-7"), if it does.
std::optional<std::int64_t> as_integer(std::string_view text) {
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return n;
}

// MySQL's truth of a value: NULL is unknown, text counts by its leading number.
std::optional<bool> truth(const Value& v) {
  if (is_null(v)) return std::nullopt;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n != 0;
  const std::string& text = std::get<std::string>(v);
  std::int64_t n = 0;
  std::from_chars(text.data(), text.data() + text.size(), n);
  return n != 0;
}

Value of_truth(std::optional<bool> b) {
  if (!b) return Value{};
  return Value{std::int64_t{*b ? 1 : 0}};
}

SqlError unknown_column(const Expr& e, std::string_view clause) {
  const std::string name = e.qualifier.empty() ? e.name : e.qualifier + "." + e.name;
  return SqlError{1054, "42S22", "Unknown column '" + name + "' in '" + std::string(clause) + "'"};
}

// The index of column E in TABLE, if E names one of its columns.
std::optional<std::size_t> column_index(const Expr& e, const Table& table) {
  if (!e.qualifier.empty() && !iequal(e.qualifier, table.name) &&
      !iequal(e.qualifier, table.schema + "." + table.name)) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    if (iequal(table.columns[i].name, e.name)) return i;
  }
  return std::nullopt;
}

using Result = std::expected<Value, SqlError>;

}  // namespace

Column char_column(std::string name, std::uint32_t characters) {
  return Column{std::move(name), wire::ColumnType::kString, characters * kUtf8mb4Bytes, 0};
}

Column varchar_column(std::string name, std::uint32_t characters) {
  return Column{std::move(name), wire::ColumnType::kVarString, characters * kUtf8mb4Bytes, 0};
}

Column int_column(std::string name) {
  return Column{std::move(name), wire::ColumnType::kLong, 11, 0};
}

Column bigint_unsigned_column(std::string name) {
  return Column{std::move(name), wire::ColumnType::kLongLong, 20, column_flag::kUnsigned};
}

Column text_column(std::string name) {
  return Column{std::move(name), wire::ColumnType::kBlob, 65535 * kUtf8mb4Bytes,
                column_flag::kBlob};
}

std::optional<std::string> to_text(const Value& v) {
  if (is_null(v)) return std::nullopt;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  return std::get<std::string>(v);
}

int compare_values(const Value& a, const Value& b) {
  const auto* ia = std::get_if<std::int64_t>(&a);
  const auto* ib = std::get_if<std::int64_t>(&b);
  std::optional<std::int64_t> na = ia ? std::optional(*ia) : std::nullopt;
  std::optional<std::int64_t> nb = ib ? std::optional(*ib) : std::nullopt;
  if (na && !nb) nb = as_integer(std::get<std::string>(b));
  if (nb && !na) na = as_integer(std::get<std::string>(a));
  if (na && nb) return *na < *nb ? -1 : (*na > *nb ? 1 : 0);
  const std::string ta = *to_text(a);
  const std::string tb = *to_text(b);
  const std::size_t n = std::min(ta.size(), tb.size());
  for (std::size_t i = 0; i < n; ++i) {
    const char x = fold(ta[i]);
    const char y = fold(tb[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  // MySQL's PAD SPACE collations ignore trailing spaces; these tables hold none that matter.
  return ta.size() < tb.size() ? -1 : (ta.size() > tb.size() ? 1 : 0);
}

bool like_matches(std::string_view text, std::string_view pattern) {
  // Iterative with one backtrack point per '%' run: linear in practice, bounded by |t|·|p|.
  std::size_t t = 0;
  std::size_t p = 0;
  std::optional<std::size_t> star_p;
  std::size_t star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      char want = pattern[p];
      std::size_t width = 1;
      if (want == '\\' && p + 1 < pattern.size()) {
        want = pattern[p + 1];
        width = 2;
      } else if (want == '_') {
        ++t;
        p += 1;
        continue;
      }
      if (fold(want) == fold(text[t])) {
        ++t;
        p += width;
        continue;
      }
    }
    if (!star_p) return false;
    p = *star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

Result evaluate(const Expr& e, const Table* table, const Row* row, const Environment& env,
                std::string_view clause) {
  auto arg = [&](std::size_t i) { return evaluate(*e.args[i], table, row, env, clause); };
  switch (e.kind) {
    case Expr::Kind::kLiteral:
      return e.value;
    case Expr::Kind::kColumn: {
      if (table == nullptr || row == nullptr) return std::unexpected(unknown_column(e, clause));
      auto index = column_index(e, *table);
      if (!index) return std::unexpected(unknown_column(e, clause));
      return (*row)[*index];
    }
    case Expr::Kind::kVariable:
      return env.variable(e.qualifier, e.name);
    case Expr::Kind::kFunction: {
      std::vector<Value> args;
      for (std::size_t i = 0; i < e.args.size(); ++i) {
        auto v = arg(i);
        if (!v) return v;
        args.push_back(std::move(*v));
      }
      return env.function(e.name, args);
    }
    case Expr::Kind::kNot: {
      auto v = arg(0);
      if (!v) return v;
      auto b = truth(*v);
      return of_truth(b ? std::optional(!*b) : std::nullopt);
    }
    case Expr::Kind::kNegate: {
      auto v = arg(0);
      if (!v || is_null(*v)) return v;
      if (const auto* n = std::get_if<std::int64_t>(&*v)) return Value{-*n};
      return Value{-as_integer(std::get<std::string>(*v)).value_or(0)};
    }
    case Expr::Kind::kAnd:
    case Expr::Kind::kOr: {
      const bool is_and = e.kind == Expr::Kind::kAnd;
      auto a = arg(0);
      if (!a) return a;
      auto b = arg(1);
      if (!b) return b;
      const auto x = truth(*a);
      const auto y = truth(*b);
      if (is_and) {
        if ((x && !*x) || (y && !*y)) return of_truth(false);
        if (x && y) return of_truth(true);
      } else {
        if ((x && *x) || (y && *y)) return of_truth(true);
        if (x && y) return of_truth(false);
      }
      return Value{};
    }
    case Expr::Kind::kCompare: {
      auto a = arg(0);
      if (!a) return a;
      auto b = arg(1);
      if (!b) return b;
      if (is_null(*a) || is_null(*b)) return Value{};
      const int c = compare_values(*a, *b);
      const std::string& op = e.op;
      const bool holds = op == "="    ? c == 0
                         : op == "<>" ? c != 0
                         : op == "<"  ? c < 0
                         : op == ">"  ? c > 0
                         : op == "<=" ? c <= 0
                                      : c >= 0;
      return of_truth(holds);
    }
    case Expr::Kind::kIn: {
      auto a = arg(0);
      if (!a) return a;
      if (is_null(*a)) return Value{};
      bool saw_null = false;
      for (std::size_t i = 1; i < e.args.size(); ++i) {
        auto b = arg(i);
        if (!b) return b;
        if (is_null(*b)) {
          saw_null = true;
        } else if (compare_values(*a, *b) == 0) {
          return of_truth(!e.negated);
        }
      }
      if (saw_null) return Value{};
      return of_truth(e.negated);
    }
    case Expr::Kind::kLike: {
      auto a = arg(0);
      if (!a) return a;
      auto b = arg(1);
      if (!b) return b;
      if (is_null(*a) || is_null(*b)) return Value{};
      return of_truth(like_matches(*to_text(*a), *to_text(*b)) != e.negated);
    }
    case Expr::Kind::kIsNull: {
      auto a = arg(0);
      if (!a) return a;
      return of_truth(is_null(*a) != e.negated);
    }
  }
  return Value{};
}

std::expected<Table, SqlError> filter_rows(Table table, const Expr* where, const Environment& env) {
  if (where == nullptr) return table;
  std::vector<Row> kept;
  for (Row& row : table.rows) {
    auto v = evaluate(*where, &table, &row, env, "where clause");
    if (!v) return std::unexpected(v.error());
    if (truth(*v).value_or(false)) kept.push_back(std::move(row));
  }
  table.rows = std::move(kept);
  return table;
}

namespace {

// The expression ORDER BY ITEM sorts on: a select item by alias or position, else itself.
std::expected<const Expr*, SqlError> order_expression(const OrderItem& item, const Select& select) {
  const Expr& e = *item.expr;
  if (e.kind == Expr::Kind::kLiteral) {
    const auto* n = std::get_if<std::int64_t>(&e.value);
    if (n == nullptr || *n < 1 || static_cast<std::size_t>(*n) > select.items.size() ||
        select.items[static_cast<std::size_t>(*n) - 1].expr == nullptr) {
      return std::unexpected(
          SqlError{1054, "42S22",
                   "Unknown column '" + to_text(e.value).value_or("NULL") + "' in 'order clause'"});
    }
    return select.items[static_cast<std::size_t>(*n) - 1].expr.get();
  }
  if (e.kind == Expr::Kind::kColumn && e.qualifier.empty()) {
    for (const SelectItem& s : select.items) {
      if (s.expr && iequal(s.label, e.name)) return s.expr.get();
    }
  }
  return &e;
}

// The result column of a computed item: integer when every value is, else text.
Column computed_column(const std::string& label, const std::vector<Row>& rows, std::size_t index) {
  bool all_integers = !rows.empty();
  std::size_t longest = 1;
  for (const Row& row : rows) {
    if (!std::holds_alternative<std::int64_t>(row[index])) all_integers = false;
    longest = std::max(longest, to_text(row[index]).value_or("").size());
  }
  if (all_integers) return Column{label, wire::ColumnType::kLongLong, 21, 0};
  return Column{label, wire::ColumnType::kVarString,
                static_cast<std::uint32_t>(std::min<std::size_t>(longest, 16384)) * kUtf8mb4Bytes,
                0};
}

}  // namespace

std::expected<Table, SqlError> run_select(const Select& select, const Table* from,
                                          const Environment& env) {
  Table source;
  if (from != nullptr) {
    source = *from;
  } else {
    for (const SelectItem& item : select.items) {
      if (!item.expr) return std::unexpected(SqlError{1096, "HY000", "No tables used"});
    }
    source.rows.emplace_back();
  }
  const Table* scope = from != nullptr ? &source : nullptr;
  auto filtered = filter_rows(std::move(source), select.where.get(), env);
  if (!filtered) return std::unexpected(filtered.error());
  source = std::move(*filtered);

  if (!select.order_by.empty()) {
    std::vector<std::pair<std::vector<Value>, std::size_t>> keyed;
    for (std::size_t r = 0; r < source.rows.size(); ++r) {
      std::vector<Value> keys;
      for (const OrderItem& item : select.order_by) {
        auto e = order_expression(item, select);
        if (!e) return std::unexpected(e.error());
        auto v = evaluate(**e, scope, &source.rows[r], env, "order clause");
        if (!v) return std::unexpected(v.error());
        keys.push_back(std::move(*v));
      }
      keyed.emplace_back(std::move(keys), r);
    }
    std::ranges::stable_sort(keyed, [&](const auto& a, const auto& b) {
      for (std::size_t k = 0; k < select.order_by.size(); ++k) {
        const Value& x = a.first[k];
        const Value& y = b.first[k];
        int c = is_null(x) ? (is_null(y) ? 0 : -1) : (is_null(y) ? 1 : compare_values(x, y));
        if (select.order_by[k].descending) c = -c;
        if (c != 0) return c < 0;
      }
      return false;
    });
    std::vector<Row> ordered;
    for (auto& [keys, r] : keyed) ordered.push_back(std::move(source.rows[r]));
    source.rows = std::move(ordered);
  }

  const std::size_t begin = std::min<std::uint64_t>(select.offset, source.rows.size());
  std::size_t end = source.rows.size();
  if (select.limit)
    end = std::min<std::uint64_t>(end, begin + std::min<std::uint64_t>(*select.limit, end));

  Table result;
  result.schema = source.schema;
  result.name = source.name;
  std::vector<std::optional<std::size_t>> column_of;  // result column → source column, if plain
  for (const SelectItem& item : select.items) {
    if (!item.expr) {
      for (std::size_t i = 0; i < source.columns.size(); ++i) {
        result.columns.push_back(source.columns[i]);
        column_of.push_back(i);
      }
      continue;
    }
    std::optional<std::size_t> plain;
    if (item.expr->kind == Expr::Kind::kColumn && scope != nullptr) {
      plain = column_index(*item.expr, source);
      if (!plain) return std::unexpected(unknown_column(*item.expr, "field list"));
    }
    result.columns.push_back(plain ? source.columns[*plain] : Column{});
    result.columns.back().name = item.label;
    column_of.push_back(plain);
  }
  for (std::size_t r = begin; r < end; ++r) {
    Row out;
    std::size_t c = 0;
    for (const SelectItem& item : select.items) {
      if (!item.expr) {
        for (const Value& v : source.rows[r]) out.push_back(v);
        c += source.columns.size();
        continue;
      }
      if (column_of[c]) {
        out.push_back(source.rows[r][*column_of[c]]);
      } else {
        auto v = evaluate(*item.expr, scope, &source.rows[r], env, "field list");
        if (!v) return std::unexpected(v.error());
        out.push_back(std::move(*v));
      }
      ++c;
    }
    result.rows.push_back(std::move(out));
  }
  for (std::size_t c = 0; c < result.columns.size(); ++c) {
    if (!column_of[c]) result.columns[c] = computed_column(result.columns[c].name, result.rows, c);
  }
  return result;
}

}  // namespace grouter::admin
