// A small MySQL/MariaDB SQL tokenizer for the statement classifier: splits a COM_QUERY text into
// words, strings, quoted identifiers and punctuation, and drops what the server ignores. Pure and
// linear: one pass, no allocation; tokens are views into the caller's text, which must outlive
// them.
//
//   comments          `-- ` (dash dash + whitespace/control), `#` and `/* */` are skipped, and so
//                     are optimizer hints `/*+ */`.
//   executable        `/*!NNNNN ... */` (MySQL) and `/*M!NNNNNN ... */` (MariaDB): the version
//   comments          digits are skipped and the content is tokenized as ordinary text.
//   strings           '...' and "..." with doubled quotes and backslash escapes (the default
//                     sql_mode; with NO_BACKSLASH_ESCAPES a string ending in `\'` would be misread,
//                     which can only make a statement less classifiable, not cross into code).
//   identifiers       `...` with doubled backticks.
//   punctuation       one byte each, except `@@` and `:=`.
//
// An unterminated string, quoted identifier or comment yields kError, and kError again on every
// later call: the text cannot be classified.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace grouter::routing::sql {

enum class TokenKind : std::uint8_t {
  kWord,         // keyword, identifier or number: [A-Za-z0-9_$] and bytes >= 0x80
  kString,       // '...' or "...", quotes included in text
  kQuotedIdent,  // `...`, backticks included in text
  kPunct,        // one byte, or `@@` / `:=`
  kEnd,          // no more tokens
  kError,        // unterminated string, identifier or comment
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string_view text;   // a view into the tokenized text
  bool qualified = false;  // a word right after `.`: a column/table part, never a keyword
};

class Tokenizer {
 public:
  explicit Tokenizer(std::string_view sql) : sql_(sql) {}

  Token next();

 private:
  // Skips whitespace and comments; false if a comment is unterminated.
  bool skip_ignored();
  Token quoted(TokenKind kind, char quote);
  Token make(TokenKind kind, std::size_t start);

  std::string_view sql_;
  std::size_t pos_ = 0;
  bool in_executable_comment_ = false;
  bool after_dot_ = false;
  bool failed_ = false;
};

// Case-insensitive (ASCII) equality of an unqualified word with KEYWORD, given in upper case.
bool is_keyword(const Token& token, std::string_view keyword);
bool is_punct(const Token& token, std::string_view punct);
// Case-insensitive (ASCII) equality; UPPER must be upper case.
bool iequals(std::string_view text, std::string_view upper);
// The value a word, string or quoted identifier stands for (quotes removed, escapes resolved), or
// nullopt for other tokens and for values longer than MAX_BYTES.
std::optional<std::string> token_value(const Token& token, std::size_t max_bytes);

}  // namespace grouter::routing::sql
