// The admin port's SQL parser and evaluator, table-driven: which statements parse (and into
// what), which are syntax errors, and what SELECT gives over a small table.
#include "router/admin/sql_parser.h"

#include <gtest/gtest.h>

#include "router/admin/sql_eval.h"

namespace grouter::admin {
namespace {

TEST(AdminSqlParser, AcceptsTheSupportedStatements) {
  const char* accepted[] = {
      "SELECT * FROM performance_schema.replication_group_members",
      "select member_id, MEMBER_HOST as h from `performance_schema`.`replication_group_members` "
      "where member_port >= 3306 and (member_state = 'ONLINE' or member_role <> 'PRIMARY') "
      "order by h desc, 1 limit 2 offset 1;",
      "SELECT * FROM replication_group_members LIMIT 1, 2",
      "SELECT * FROM t WHERE a IN (1, 2, 'x') AND b NOT IN (3) AND c LIKE 'g%' AND d NOT LIKE '_'",
      "SELECT * FROM t WHERE a IS NULL OR b IS NOT NULL OR NOT c != 2 || d <= -1 && e >= 0",
      "SELECT @@version_comment LIMIT 1",
      "SELECT @@global.group_replication_group_name, @@SESSION.autocommit, @@x",
      "SELECT DATABASE()",
      "SELECT group_replication_set_as_primary('00000000-0000-0000-0000-000000000001')",
      "SET NAMES utf8mb4",
      "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_general_ci'",
      "SET CHARACTER SET utf8",
      "SET autocommit=1, sql_mode = ''",
      "SET @@session.autocommit = 0",
      "SET GLOBAL group_replication_force_members=\"127.0.0.1:10000,127.0.0.1:10001\"",
      "SET GLOBAL group_replication_bootstrap_group=ON",
      "SET GLOBAL group_replication_member_weight := 70",
      "SHOW DATABASES",
      "SHOW DATABASES LIKE 'test'",
      "SHOW FULL TABLES FROM performance_schema",
      "SHOW STATUS LIKE 'group_replication_primary_member'",
      "SHOW GLOBAL VARIABLES LIKE 'group_replication%'",
      "SHOW SESSION VARIABLES WHERE Variable_name = 'x'",
      "SHOW WARNINGS",
      "SHOW PLUGINS",
      "USE node1",
      "use `node-2`",
      "START GROUP_REPLICATION",
      "stop group_replication;",
      "HELP",
      "help 'contents'",
      "/* a comment */ SELECT 1 -- trailing\n",
  };
  for (const char* sql : accepted) {
    auto parsed = parse_statement(sql);
    EXPECT_TRUE(parsed.has_value()) << sql << ": " << parsed.error().message;
  }
}

TEST(AdminSqlParser, RejectsWithASyntaxErrorNamingWhere) {
  struct Case {
    const char* sql;
    std::uint16_t code;
    const char* names;
  };
  const Case rejected[] = {
      {"", 1065, "Query was empty"},
      {";", 1065, "Query was empty"},
      {"DROP TABLE t", 1064, "SELECT, SHOW, SET, USE"},
      {"SELECT", 1064, "ends too early"},
      {"SELECT * FROM", 1064, "table name"},
      {"SELECT * FROM t WHERE", 1064, "ends too early"},
      {"SELECT * FROM t LIMIT x", 1064, "LIMIT"},
      {"SELECT * FROM t LIMIT 1 OFFSET", 1064, "OFFSET"},
      {"SELECT * FROM t ORDER x", 1064, "expected BY"},
      {"SELECT 'open", 1064, "unterminated"},
      {"SELECT a FROM t extra words", 1064, "should end here"},
      {"SELECT @@", 1064, "variable name"},
      {"SELECT @@foo.bar", 1064, "@@GLOBAL"},
      {"SET @x = 1", 1064, "user variables"},
      {"SET GLOBAL", 1064, "variable name"},
      {"SET GLOBAL x", 1064, "'='"},
      {"SHOW BINLOG EVENTS", 1064, "SHOW takes"},
      {"SHOW GLOBAL WARNINGS", 1064, "SHOW takes"},
      {"START SLAVE", 1064, "GROUP_REPLICATION"},
      {"USE", 1064, "member name"},
      {"SELECT a IN 1", 1064, "'('"},
      {"SELECT a NOT 1", 1064, "LIKE or IN"},
      {"SELECT 99999999999999999999", 1064, "integer"},
      {"SELECT DATABASE() 0", 1064, "should end here"},  // a number is no alias
  };
  for (const Case& c : rejected) {
    auto parsed = parse_statement(c.sql);
    ASSERT_FALSE(parsed.has_value()) << c.sql;
    EXPECT_EQ(parsed.error().code, c.code) << c.sql;
    EXPECT_NE(parsed.error().message.find(c.names), std::string::npos)
        << c.sql << ": " << parsed.error().message;
  }
}

TEST(AdminSqlParser, DeepNestingIsAnErrorNotACrash) {
  std::string sql = "SELECT " + std::string(10000, '(') + "1" + std::string(10000, ')');
  auto parsed = parse_statement(sql);
  ASSERT_FALSE(parsed.has_value());
  EXPECT_NE(parsed.error().message.find("nests too deeply"), std::string::npos);
  std::string nots = "SELECT ";
  for (int i = 0; i < 10000; ++i) nots += "NOT ";
  EXPECT_FALSE(parse_statement(nots + "1").has_value());
}

TEST(AdminSqlParser, ReadsWhatWasWritten) {
  auto parsed = parse_statement(
      "SELECT member_host AS h, @@GLOBAL.Group_Replication_X, DATABASE() FROM "
      "performance_schema.replication_group_members WHERE a = 1 ORDER BY h DESC LIMIT 3, 4");
  ASSERT_TRUE(parsed.has_value());
  const auto& s = std::get<Select>(*parsed);
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_EQ(s.items[0].label, "h");
  EXPECT_EQ(s.items[1].label, "@@GLOBAL.Group_Replication_X");
  EXPECT_EQ(s.items[1].expr->name, "group_replication_x");
  EXPECT_EQ(s.items[1].expr->qualifier, "global");
  EXPECT_EQ(s.items[2].label, "DATABASE()");
  EXPECT_EQ(s.from->schema, "performance_schema");
  EXPECT_EQ(s.from->name, "replication_group_members");
  ASSERT_EQ(s.order_by.size(), 1u);
  EXPECT_TRUE(s.order_by[0].descending);
  EXPECT_EQ(s.limit, 4u);
  EXPECT_EQ(s.offset, 3u);

  auto set = parse_statement("SET GLOBAL group_replication_member_weight = -5, SESSION x = 'y'");
  ASSERT_TRUE(set.has_value());
  const auto& items = std::get<Set>(*set).items;
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].scope, SetItem::Scope::kGlobal);
  EXPECT_EQ(items[0].name, "group_replication_member_weight");
  EXPECT_EQ(items[1].scope, SetItem::Scope::kSession);

  auto carried = parse_statement("SET GLOBAL a = 1, b = 2");  // GLOBAL carries over, as in MySQL
  ASSERT_TRUE(carried.has_value());
  EXPECT_EQ(std::get<Set>(*carried).items[1].scope, SetItem::Scope::kGlobal);
}

// --- the evaluator --------------------------------------------------------------------------

class NoEnvironment final : public Environment {
 public:
  std::expected<Value, SqlError> variable(const std::string&,
                                          const std::string& name) const override {
    if (name == "answer") return Value{std::int64_t{42}};
    return std::unexpected(SqlError{1193, "HY000", "Unknown system variable '" + name + "'"});
  }
  std::expected<Value, SqlError> function(const std::string& name,
                                          const std::vector<Value>&) const override {
    return std::unexpected(SqlError{1305, "42000", "FUNCTION " + name + " does not exist"});
  }
};

Table people() {
  return Table{"s",
               "people",
               {char_column("NAME", 10), int_column("AGE"), char_column("ROLE", 10)},
               {{std::string("ann"), std::int64_t{30}, std::string("PRIMARY")},
                {std::string("bob"), std::int64_t{25}, std::string("SECONDARY")},
                {std::string("cy"), std::int64_t{41}, Value{}},
                {std::string("Dee"), std::int64_t{25}, std::string("SECONDARY")}}};
}

// The first column of SQL's result over people(), as text ("NULL" for NULL), or the error code.
std::string first_column(const std::string& sql) {
  auto parsed = parse_statement(sql);
  if (!parsed) return "error " + std::to_string(parsed.error().code);
  const Table t = people();
  const auto& select = std::get<Select>(*parsed);
  auto result = run_select(select, select.from ? &t : nullptr, NoEnvironment());
  if (!result) return "error " + std::to_string(result.error().code);
  std::string out;
  for (const Row& r : result->rows)
    out += (out.empty() ? "" : ",") + to_text(r[0]).value_or("NULL");
  return out;
}

TEST(AdminSqlEval, SelectsFiltersOrdersAndLimits) {
  struct Case {
    const char* sql;
    const char* rows;
  };
  const Case cases[] = {
      {"SELECT name FROM people", "ann,bob,cy,Dee"},
      {"SELECT * FROM s.people WHERE age = 25", "bob,Dee"},
      {"SELECT name FROM people WHERE age <> 25", "ann,cy"},
      {"SELECT name FROM people WHERE age != 25 AND age < 40", "ann"},
      {"SELECT name FROM people WHERE age > 25 OR name = 'BOB'", "ann,bob,cy"},
      {"SELECT name FROM people WHERE age >= 30", "ann,cy"},
      {"SELECT name FROM people WHERE age <= '25'", "bob,Dee"},
      {"SELECT name FROM people WHERE name IN ('ann', 'dee')", "ann,Dee"},
      {"SELECT name FROM people WHERE name NOT IN ('ann', 'dee')", "bob,cy"},
      {"SELECT name FROM people WHERE role NOT IN ('PRIMARY', NULL)", ""},
      {"SELECT name FROM people WHERE role LIKE 'sec%'", "bob,Dee"},
      {"SELECT name FROM people WHERE name LIKE '_y'", "cy"},
      {"SELECT name FROM people WHERE name NOT LIKE '%n%'", "bob,cy,Dee"},
      {"SELECT name FROM people WHERE role IS NULL", "cy"},
      {"SELECT name FROM people WHERE role IS NOT NULL AND NOT (age = 25)", "ann"},
      {"SELECT name FROM people WHERE role = 'x' OR role IS NULL", "cy"},
      {"SELECT name FROM people WHERE NOT role = 'PRIMARY'", "bob,Dee"},
      {"SELECT name FROM people ORDER BY age, name", "bob,Dee,ann,cy"},
      {"SELECT name FROM people ORDER BY age DESC, name DESC", "cy,ann,Dee,bob"},
      {"SELECT name AS n FROM people ORDER BY n DESC", "Dee,cy,bob,ann"},
      {"SELECT name, age FROM people ORDER BY 2, 1 DESC", "Dee,bob,ann,cy"},
      {"SELECT name FROM people ORDER BY role", "cy,ann,bob,Dee"},
      {"SELECT name FROM people ORDER BY name LIMIT 2", "ann,bob"},
      {"SELECT name FROM people ORDER BY name LIMIT 2 OFFSET 3", "Dee"},
      {"SELECT name FROM people ORDER BY name LIMIT 1, 2", "bob,cy"},
      {"SELECT name FROM people LIMIT 0", ""},
      {"SELECT name FROM people LIMIT 10 OFFSET 10", ""},
      {"SELECT NAME FROM people WHERE people.age = 41", "cy"},
      {"SELECT @@answer", "42"},
      {"SELECT 1, 'x'", "1"},
      {"SELECT -3", "-3"},
      {"SELECT @@answer LIMIT 0", ""},
      {"SELECT nope FROM people", "error 1054"},
      {"SELECT name FROM people WHERE nope = 1", "error 1054"},
      {"SELECT name FROM people ORDER BY nope", "error 1054"},
      {"SELECT name FROM people ORDER BY 3", "error 1054"},
      {"SELECT name FROM people WHERE other.age = 1", "error 1054"},
      {"SELECT *", "error 1096"},
      {"SELECT @@nope", "error 1193"},
      {"SELECT f()", "error 1305"},
  };
  for (const Case& c : cases) EXPECT_EQ(first_column(c.sql), c.rows) << c.sql;
}

TEST(AdminSqlEval, ColumnsKeepTheirTypesUnderAliases) {
  auto parsed =
      parse_statement("SELECT age AS years, name, @@answer AS a, 'x' FROM people LIMIT 1");
  ASSERT_TRUE(parsed.has_value());
  const Table t = people();
  auto result = run_select(std::get<Select>(*parsed), &t, NoEnvironment());
  ASSERT_TRUE(result.has_value());
  ASSERT_EQ(result->columns.size(), 4u);
  EXPECT_EQ(result->columns[0].name, "years");
  EXPECT_EQ(result->columns[0].type, mysql_wire::ColumnType::kLong);
  EXPECT_EQ(result->columns[1].type, mysql_wire::ColumnType::kString);
  EXPECT_EQ(result->columns[2].type, mysql_wire::ColumnType::kLongLong);
  EXPECT_EQ(result->columns[3].name, "'x'");
  EXPECT_EQ(result->columns[3].type, mysql_wire::ColumnType::kVarString);
}

TEST(AdminSqlEval, LikeFollowsMySql) {
  EXPECT_TRUE(like_matches("group_replication_primary_member", "group_replication%"));
  EXPECT_TRUE(like_matches("GROUP_x", "group\\_x"));
  EXPECT_FALSE(like_matches("groupAx", "group\\_x"));
  EXPECT_TRUE(like_matches("", "%"));
  EXPECT_FALSE(like_matches("", "_"));
  EXPECT_TRUE(like_matches("abcabc", "%b%c"));
  EXPECT_FALSE(like_matches("abc", "ab"));
  EXPECT_TRUE(like_matches("a%c", "a\\%c"));
  EXPECT_TRUE(like_matches(std::string(5000, 'a'), std::string(50, '%') + "b%") == false);
}

}  // namespace
}  // namespace grouter::admin
