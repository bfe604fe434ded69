// Recursive descent over routing::sql's tokens.
#include "router/admin/sql_parser.h"

#include <algorithm>
#include <charconv>
#include <vector>

#include "routing/sql_tokenizer.h"

namespace grouter::admin {
namespace {

namespace tok = grouter::routing::sql;
using tok::TokenKind;

constexpr std::size_t kMaxValueBytes = kMaxStatementBytes;
constexpr std::size_t kNearBytes = 80;

std::string lower(std::string_view text) {
  std::string out(text);
  std::ranges::transform(out, out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view sql) : sql_(sql) {}

  std::expected<Statement, SqlError> run() {
    tok::Tokenizer tokenizer(sql_);
    for (;;) {
      tok::Token t = tokenizer.next();
      if (t.kind == TokenKind::kError) {
        return std::unexpected(
            syntax_error(t.text, "an unterminated string, identifier or comment"));
      }
      if (t.kind == TokenKind::kEnd) break;
      tokens_.push_back(t);
    }
    while (!tokens_.empty() && tok::is_punct(tokens_.back(), ";")) tokens_.pop_back();
    if (tokens_.empty()) return std::unexpected(SqlError{1065, "42000", "Query was empty"});
    auto statement = parse();
    if (!error_.message.empty()) return std::unexpected(error_);
    if (pos_ < tokens_.size()) {
      return std::unexpected(syntax_error(rest(), "the statement should end here"));
    }
    return statement;
  }

 private:
  // --- tokens ---------------------------------------------------------------------------------
  const tok::Token* peek(std::size_t ahead = 0) const {
    return pos_ + ahead < tokens_.size() ? &tokens_[pos_ + ahead] : nullptr;
  }
  bool at_keyword(std::string_view kw, std::size_t ahead = 0) const {
    const tok::Token* t = peek(ahead);
    return t != nullptr && tok::is_keyword(*t, kw);
  }
  bool at_punct(std::string_view p, std::size_t ahead = 0) const {
    const tok::Token* t = peek(ahead);
    return t != nullptr && tok::is_punct(*t, p);
  }
  bool accept_keyword(std::string_view kw) {
    if (!at_keyword(kw)) return false;
    ++pos_;
    return true;
  }
  bool accept_punct(std::string_view p) {
    if (!at_punct(p)) return false;
    ++pos_;
    return true;
  }
  std::string_view rest() const {
    if (pos_ >= tokens_.size()) return {};
    const std::size_t offset = static_cast<std::size_t>(tokens_[pos_].text.data() - sql_.data());
    return sql_.substr(offset, kNearBytes);
  }
  std::size_t offset_of(std::size_t index) const {
    if (index >= tokens_.size()) return sql_.size();
    return static_cast<std::size_t>(tokens_[index].text.data() - sql_.data());
  }
  std::size_t end_of(std::size_t index) const {
    return offset_of(index) + tokens_[index].text.size();
  }
  bool fail(std::string_view why) {
    if (error_.message.empty()) error_ = syntax_error(rest(), why);
    return false;
  }
  bool expect_keyword(std::string_view kw) {
    return accept_keyword(kw) || fail("expected " + std::string(kw));
  }
  bool expect_punct(std::string_view p) {
    return accept_punct(p) || fail("expected '" + std::string(p) + "'");
  }
  bool failed() const { return !error_.message.empty(); }

  // An identifier: a word that is not a number, or a `quoted` one.
  std::optional<std::string> identifier() {
    const tok::Token* t = peek();
    if (t == nullptr) return std::nullopt;
    if (t->kind == TokenKind::kQuotedIdent) {
      ++pos_;
      return tok::token_value(*t, kMaxValueBytes);
    }
    if (t->kind == TokenKind::kWord && !std::isdigit(static_cast<unsigned char>(t->text[0]))) {
      ++pos_;
      return std::string(t->text);
    }
    return std::nullopt;
  }
  std::optional<std::string> string_literal() {
    const tok::Token* t = peek();
    if (t == nullptr || t->kind != TokenKind::kString) return std::nullopt;
    ++pos_;
    return tok::token_value(*t, kMaxValueBytes);
  }
  std::optional<std::uint64_t> number() {
    const tok::Token* t = peek();
    if (t == nullptr || t->kind != TokenKind::kWord) return std::nullopt;
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(t->text.data(), t->text.data() + t->text.size(), n);
    if (ec != std::errc() || end != t->text.data() + t->text.size()) return std::nullopt;
    ++pos_;
    return n;
  }

  // --- statements -----------------------------------------------------------------------------
  Statement parse() {
    if (accept_keyword("SELECT")) return parse_select();
    if (accept_keyword("SET")) return parse_set();
    if (accept_keyword("SHOW")) return parse_show();
    if (accept_keyword("USE")) {
      auto name = identifier();
      if (!name) fail("expected a member name after USE");
      return Use{name.value_or("")};
    }
    if (at_keyword("START") || at_keyword("STOP")) {
      const bool start = at_keyword("START");
      ++pos_;
      if (!accept_keyword("GROUP_REPLICATION")) fail("expected GROUP_REPLICATION");
      return GroupReplicationCommand{start};
    }
    if (accept_keyword("HELP")) {
      pos_ = tokens_.size();  // HELP takes any topic and lists everything
      return Help{};
    }
    fail("the admin port runs SELECT, SHOW, SET, USE, START/STOP GROUP_REPLICATION and HELP");
    return Help{};
  }

  Statement parse_select() {
    Select select;
    do {
      SelectItem item;
      const std::size_t first = pos_;
      if (accept_punct("*")) {
        item.label = "*";
      } else {
        item.expr = expression(0);
        if (failed()) return select;
        item.label =
            std::string(sql_.substr(offset_of(first), end_of(pos_ - 1) - offset_of(first)));
        if (accept_keyword("AS")) {
          auto alias = identifier();
          if (!alias) alias = string_literal();
          if (!alias) {
            fail("expected an alias after AS");
            return select;
          }
          item.label = *alias;
        } else if (const tok::Token* t = peek(); t != nullptr && !reserved(*t)) {
          if (auto alias = identifier()) item.label = *alias;  // an alias without AS
        }
      }
      select.items.push_back(std::move(item));
    } while (accept_punct(","));
    if (accept_keyword("FROM")) {
      auto table = table_name();
      if (!table) return select;
      select.from = std::move(*table);
    }
    if (accept_keyword("WHERE")) select.where = expression(0);
    if (failed()) return select;
    if (accept_keyword("ORDER")) {
      if (!expect_keyword("BY")) return select;
      do {
        OrderItem item;
        item.expr = expression(0);
        if (failed()) return select;
        if (accept_keyword("DESC")) {
          item.descending = true;
        } else {
          accept_keyword("ASC");
        }
        select.order_by.push_back(std::move(item));
      } while (accept_punct(","));
    }
    if (accept_keyword("LIMIT")) {
      auto first = number();
      if (!first) {
        fail("expected a number after LIMIT");
        return select;
      }
      if (accept_punct(",")) {  // LIMIT offset, count
        auto count = number();
        if (!count) {
          fail("expected a row count after LIMIT offset,");
          return select;
        }
        select.offset = *first;
        select.limit = *count;
      } else {
        select.limit = *first;
        if (accept_keyword("OFFSET")) {
          auto offset = number();
          if (!offset) {
            fail("expected a number after OFFSET");
            return select;
          }
          select.offset = *offset;
        }
      }
    }
    return select;
  }

  static bool reserved(const tok::Token& t) {
    for (std::string_view kw : {"FROM", "WHERE", "ORDER", "LIMIT", "AS", "AND", "OR", "NOT", "LIKE",
                                "IN", "IS", "OFFSET", "ASC", "DESC", "BY"}) {
      if (tok::is_keyword(t, kw)) return true;
    }
    return false;
  }

  std::optional<TableName> table_name() {
    auto first = identifier();
    if (!first) {
      fail("expected a table name");
      return std::nullopt;
    }
    TableName name{"", *first};
    if (accept_punct(".")) {
      auto second = identifier();
      if (!second) {
        fail("expected a table name after the schema");
        return std::nullopt;
      }
      name = TableName{*first, *second};
    }
    return name;
  }

  Statement parse_set() {
    Set set;
    // As in MySQL, GLOBAL or SESSION carries over to the assignments after it that name none.
    SetItem::Scope scope = SetItem::Scope::kNone;
    do {
      SetItem item;
      item.scope = scope;
      if (accept_keyword("NAMES")) {
        item.name = "names";
        item.value = set_value();
        if (accept_keyword("COLLATE")) set_value();
        set.items.push_back(std::move(item));
        continue;
      }
      if (at_keyword("CHARACTER") && at_keyword("SET", 1)) {
        pos_ += 2;
        item.name = "character_set";
        item.value = set_value();
        set.items.push_back(std::move(item));
        continue;
      }
      if (accept_keyword("GLOBAL")) {
        item.scope = SetItem::Scope::kGlobal;
      } else if (accept_keyword("SESSION") || accept_keyword("LOCAL")) {
        item.scope = SetItem::Scope::kSession;
      } else if (accept_punct("@@")) {
        item.scope = SetItem::Scope::kSession;
        if (at_punct(".", 1) &&
            (at_keyword("GLOBAL") || at_keyword("SESSION") || at_keyword("LOCAL"))) {
          if (at_keyword("GLOBAL")) item.scope = SetItem::Scope::kGlobal;
          pos_ += 2;
        }
      } else if (at_punct("@")) {
        fail(
            "user variables (@name) are not supported; SET GLOBAL group_replication_... and "
            "session settings are");
        return set;
      }
      auto name = identifier();
      if (!name) {
        fail("expected a variable name");
        return set;
      }
      scope = item.scope;
      item.name = lower(*name);
      if (!accept_punct("=") && !accept_punct(":=")) {
        fail("expected '=' after the variable name");
        return set;
      }
      item.value = set_value();
      if (failed()) return set;
      set.items.push_back(std::move(item));
    } while (accept_punct(","));
    return set;
  }

  // A SET value: an expression; a bare word (ON, OFF, utf8mb4, READ_ONLY, DEFAULT) is text.
  ExprPtr set_value() {
    const tok::Token* t = peek();
    if (t != nullptr && t->kind == TokenKind::kWord && !at_punct("(", 1) &&
        !std::isdigit(static_cast<unsigned char>(t->text[0]))) {
      ++pos_;
      auto e = std::make_shared<Expr>();
      e->value = std::string(t->text);
      return e;
    }
    return expression(0);
  }

  Statement parse_show() {
    Show show;
    accept_keyword("FULL");
    const bool global = accept_keyword("GLOBAL") || accept_keyword("SESSION");
    if (accept_keyword("DATABASES") || accept_keyword("SCHEMAS")) {
      show.kind = Show::Kind::kDatabases;
    } else if (!global && accept_keyword("TABLES")) {
      show.kind = Show::Kind::kTables;
      if (accept_keyword("FROM") || accept_keyword("IN")) {
        auto db = identifier();
        if (!db) {
          fail("expected a database name");
          return show;
        }
        show.from = *db;
      }
    } else if (accept_keyword("STATUS")) {
      show.kind = Show::Kind::kStatus;
    } else if (accept_keyword("VARIABLES")) {
      show.kind = Show::Kind::kVariables;
    } else if (!global && accept_keyword("WARNINGS")) {
      show.kind = Show::Kind::kWarnings;
    } else if (!global && accept_keyword("ERRORS")) {
      show.kind = Show::Kind::kErrors;
    } else if (!global && accept_keyword("PLUGINS")) {
      show.kind = Show::Kind::kPlugins;
    } else {
      fail(
          "SHOW takes DATABASES, TABLES, [GLOBAL] STATUS, [GLOBAL] VARIABLES, WARNINGS, ERRORS "
          "or PLUGINS here");
      return show;
    }
    if (accept_keyword("LIKE")) {
      auto pattern = string_literal();
      if (!pattern) {
        fail("expected a 'pattern' after LIKE");
        return show;
      }
      show.like = *pattern;
    } else if (accept_keyword("WHERE")) {
      show.where = expression(0);
    }
    return show;
  }

  // --- expressions: OR < AND < NOT < predicate < operand ----------------------------------------
  ExprPtr node(Expr::Kind kind, std::vector<ExprPtr> args, std::string op = {},
               bool negated = false) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->args = std::move(args);
    e->op = std::move(op);
    e->negated = negated;
    return e;
  }

  ExprPtr expression(std::size_t depth) {
    if (depth > kMaxDepth) {
      fail("the expression nests too deeply");
      return nullptr;
    }
    ExprPtr left = conjunction(depth);
    while (!failed() && accept_either("OR", "|")) {
      left = node(Expr::Kind::kOr, {left, conjunction(depth)});
    }
    return left;
  }

  // KEYWORD, or PUNCT written twice (|| and &&).
  bool accept_either(std::string_view keyword, std::string_view punct) {
    if (accept_keyword(keyword)) return true;
    if (!at_punct(punct) || !at_punct(punct, 1)) return false;
    pos_ += 2;
    return true;
  }

  ExprPtr conjunction(std::size_t depth) {
    ExprPtr left = negation(depth);
    while (!failed() && accept_either("AND", "&")) {
      left = node(Expr::Kind::kAnd, {left, negation(depth)});
    }
    return left;
  }

  ExprPtr negation(std::size_t depth) {
    if (depth > kMaxDepth) {
      fail("the expression nests too deeply");
      return nullptr;
    }
    if (accept_keyword("NOT") || accept_punct("!"))
      return node(Expr::Kind::kNot, {negation(depth + 1)});
    return predicate(depth);
  }

  ExprPtr predicate(std::size_t depth) {
    ExprPtr left = operand(depth);
    if (failed()) return nullptr;
    for (std::string_view op : {"<=", ">=", "<>", "!=", "=", "<", ">"}) {
      const bool two = op.size() == 2;
      if (!at_punct(op.substr(0, 1)) || (two && !at_punct(op.substr(1, 1), 1))) continue;
      if (two) {
        // two one-byte tokens written together: "<=" but not "< ="
        if (end_of(pos_) != offset_of(pos_ + 1)) continue;
      }
      pos_ += two ? 2 : 1;
      return node(Expr::Kind::kCompare, {left, operand(depth)},
                  op == "!=" ? "<>" : std::string(op));
    }
    if (accept_keyword("IS")) {
      const bool negated = accept_keyword("NOT");
      if (!expect_keyword("NULL")) return nullptr;
      return node(Expr::Kind::kIsNull, {left}, "", negated);
    }
    const bool negated = accept_keyword("NOT");
    if (accept_keyword("LIKE")) return node(Expr::Kind::kLike, {left, operand(depth)}, "", negated);
    if (accept_keyword("IN")) {
      if (!expect_punct("(")) return nullptr;
      std::vector<ExprPtr> args{left};
      do {
        args.push_back(operand(depth));
        if (failed()) return nullptr;
      } while (accept_punct(","));
      if (!expect_punct(")")) return nullptr;
      return node(Expr::Kind::kIn, std::move(args), "", negated);
    }
    if (negated) fail("expected LIKE or IN after NOT");
    return left;
  }

  ExprPtr operand(std::size_t depth) {
    if (depth > kMaxDepth) {
      fail("the expression nests too deeply");
      return nullptr;
    }
    const tok::Token* t = peek();
    if (t == nullptr) {
      fail("the statement ends too early");
      return nullptr;
    }
    auto e = std::make_shared<Expr>();
    if (accept_punct("(")) {
      ExprPtr inner = expression(depth + 1);
      if (!expect_punct(")")) return nullptr;
      return inner;
    }
    if (accept_punct("-")) return node(Expr::Kind::kNegate, {operand(depth + 1)});
    if (accept_punct("@@")) {
      e->kind = Expr::Kind::kVariable;
      auto name = identifier();
      if (name && accept_punct(".")) {
        e->qualifier = lower(*name);
        if (e->qualifier != "global" && e->qualifier != "session" && e->qualifier != "local") {
          fail("expected @@GLOBAL.name or @@SESSION.name");
          return nullptr;
        }
        if (e->qualifier == "local") e->qualifier = "session";
        name = identifier();
      }
      if (!name) {
        fail("expected a variable name after @@");
        return nullptr;
      }
      e->name = lower(*name);
      return e;
    }
    if (t->kind == TokenKind::kString) {
      e->value = string_literal().value_or("");
      return e;
    }
    if (t->kind == TokenKind::kWord && std::isdigit(static_cast<unsigned char>(t->text[0]))) {
      auto n = number();
      if (!n || *n > static_cast<std::uint64_t>(INT64_MAX)) {
        fail("expected an integer");
        return nullptr;
      }
      e->value = static_cast<std::int64_t>(*n);
      return e;
    }
    if (tok::is_keyword(*t, "NULL")) {
      ++pos_;
      return e;
    }
    if (tok::is_keyword(*t, "TRUE") || tok::is_keyword(*t, "FALSE")) {
      ++pos_;
      e->value = std::int64_t{tok::is_keyword(*t, "TRUE") ? 1 : 0};
      return e;
    }
    if (t->kind == TokenKind::kWord && reserved(*t)) {
      fail("expected a value, column or function");
      return nullptr;
    }
    auto name = identifier();
    if (!name) {
      fail("expected a value, column or function");
      return nullptr;
    }
    if (accept_punct("(")) {
      e->kind = Expr::Kind::kFunction;
      e->name = lower(*name);
      if (!accept_punct(")")) {
        do {
          e->args.push_back(expression(depth + 1));
          if (failed()) return nullptr;
        } while (accept_punct(","));
        if (!expect_punct(")")) return nullptr;
      }
      return e;
    }
    e->kind = Expr::Kind::kColumn;
    e->name = *name;
    while (accept_punct(".")) {  // table.column or schema.table.column
      auto part = identifier();
      if (!part) {
        fail("expected a column name after '.'");
        return nullptr;
      }
      e->qualifier = e->qualifier.empty() ? e->name : e->qualifier + "." + e->name;
      e->name = *part;
    }
    return e;
  }

  std::string_view sql_;
  std::vector<tok::Token> tokens_;
  std::size_t pos_ = 0;
  SqlError error_;
};

}  // namespace

SqlError syntax_error(std::string_view near, std::string_view why) {
  return SqlError{1064, "42000",
                  "You have an error in your SQL syntax; " + std::string(why) + " near '" +
                      std::string(near.substr(0, kNearBytes)) +
                      "' at line 1 (HELP lists the statements grouter's admin port runs)"};
}

std::expected<Statement, SqlError> parse_statement(std::string_view sql) {
  if (sql.size() > kMaxStatementBytes) {
    return std::unexpected(SqlError{1064, "42000",
                                    "the statement is longer than " +
                                        std::to_string(kMaxStatementBytes) +
                                        " bytes, which grouter's admin port does not read"});
  }
  return Parser(sql).run();
}

}  // namespace grouter::admin
