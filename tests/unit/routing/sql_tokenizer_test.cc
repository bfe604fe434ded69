// The classifier's SQL tokenizer: comments, executable comments, quoting, and unterminated input.
#include "routing/sql_tokenizer.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace grouter::routing::sql {
namespace {

// The tokens of SQL as "kind:text" strings, W word, S string, Q quoted identifier, P punctuation,
// and "error" for kError (which ends the list).
std::vector<std::string> tokens(std::string_view sql) {
  std::vector<std::string> out;
  Tokenizer tokenizer(sql);
  for (Token t = tokenizer.next(); t.kind != TokenKind::kEnd; t = tokenizer.next()) {
    if (t.kind == TokenKind::kError) {
      out.emplace_back("error");
      break;
    }
    const char* kind = t.kind == TokenKind::kWord          ? (t.qualified ? "w:" : "W:")
                       : t.kind == TokenKind::kString      ? "S:"
                       : t.kind == TokenKind::kQuotedIdent ? "Q:"
                                                           : "P:";
    out.push_back(kind + std::string(t.text));
  }
  return out;
}

using V = std::vector<std::string>;

TEST(SqlTokenizer, WordsPunctuationAndQualifiedNames) {
  EXPECT_EQ(tokens("SELECT a.b, @x:=1 FROM t"), (V{"W:SELECT", "W:a", "P:.", "w:b", "P:,", "P:@",
                                                   "W:x", "P::=", "W:1", "W:FROM", "W:t"}));
  EXPECT_EQ(tokens("@@session.autocommit"), (V{"P:@@", "W:session", "P:.", "w:autocommit"}));
  EXPECT_EQ(tokens("  \t\n"), V{});
  EXPECT_EQ(tokens(""), V{});
}

TEST(SqlTokenizer, CommentsAreSkipped) {
  EXPECT_EQ(tokens("-- x\nSELECT # y\n 1 /* z */ ;"), (V{"W:SELECT", "W:1", "P:;"}));
  EXPECT_EQ(tokens("SELECT 1--1"), (V{"W:SELECT", "W:1", "P:-", "P:-", "W:1"}));
  EXPECT_EQ(tokens("SELECT 1 --"), (V{"W:SELECT", "W:1"}));
  EXPECT_EQ(tokens("SELECT /*+ MAX_EXECUTION_TIME(1) */ 1"), (V{"W:SELECT", "W:1"}));
}

TEST(SqlTokenizer, ExecutableCommentsCount) {
  EXPECT_EQ(tokens("/*!50000 SELECT */ 1"), (V{"W:SELECT", "W:1"}));
  EXPECT_EQ(tokens("/*!SELECT*/"), (V{"W:SELECT"}));
  EXPECT_EQ(tokens("/*M!100500 SELECT */"), (V{"W:SELECT"}));
  EXPECT_EQ(tokens("/*!50000 SELECT"), (V{"W:SELECT", "error"}));
}

TEST(SqlTokenizer, StringsAndIdentifiers) {
  EXPECT_EQ(tokens(R"('a''b' "c\"d" `e``f` 'g\\')"),
            (V{R"(S:'a''b')", R"(S:"c\"d")", "Q:`e``f`", R"(S:'g\\')"}));
  EXPECT_EQ(tokens("'x; DELETE' -- y"), (V{"S:'x; DELETE'"}));
  EXPECT_EQ(tokens("'unterminated"), (V{"error"}));
  EXPECT_EQ(tokens("'ends in backslash\\"), (V{"error"}));
  EXPECT_EQ(tokens("`a"), (V{"error"}));
  EXPECT_EQ(tokens("/* open"), (V{"error"}));
}

TEST(SqlTokenizer, ErrorIsSticky) {
  Tokenizer tokenizer("'x");
  EXPECT_EQ(tokenizer.next().kind, TokenKind::kError);
  EXPECT_EQ(tokenizer.next().kind, TokenKind::kError);
}

TEST(SqlTokenizer, TokenValues) {
  auto value = [](std::string_view sql) {
    Tokenizer tokenizer(sql);
    return token_value(tokenizer.next(), 16);
  };
  EXPECT_EQ(value("'a''b'"), "a'b");
  EXPECT_EQ(value(R"("a\"b")"), "a\"b");
  EXPECT_EQ(value("`a``b`"), "a`b");
  EXPECT_EQ(value("word"), "word");
  EXPECT_EQ(value("'this is longer than sixteen bytes'"), std::nullopt);
  EXPECT_EQ(value("("), std::nullopt);
}

}  // namespace
}  // namespace grouter::routing::sql
