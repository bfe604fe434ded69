// The SQL tokenizer of the statement classifier.
#include "routing/sql_tokenizer.h"

namespace grouter::routing::sql {
namespace {

constexpr std::size_t kMaxVersionDigits = 6;  // /*!50700 (MySQL), /*M!100500 (MariaDB)

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '_' ||
         u == '$' || u >= 0x80;
}

char to_upper(char c) {
  return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

}  // namespace

bool Tokenizer::skip_ignored() {
  while (pos_ < sql_.size()) {
    const char c = sql_[pos_];
    const char n = pos_ + 1 < sql_.size() ? sql_[pos_ + 1] : '\0';
    if (is_space(c)) {
      ++pos_;
    } else if (c == '#' ||
               (c == '-' && n == '-' &&
                (pos_ + 2 >= sql_.size() || static_cast<unsigned char>(sql_[pos_ + 2]) <= ' '))) {
      const std::size_t eol = sql_.find('\n', pos_);
      pos_ = eol == std::string_view::npos ? sql_.size() : eol + 1;
    } else if (c == '/' && n == '*') {
      const std::string_view rest = sql_.substr(pos_ + 2);
      const std::size_t marker = rest.starts_with('!') ? 1 : rest.starts_with("M!") ? 2 : 0;
      if (marker != 0) {
        pos_ += 2 + marker;
        for (std::size_t i = 0;
             i < kMaxVersionDigits && pos_ < sql_.size() && sql_[pos_] >= '0' && sql_[pos_] <= '9';
             ++i) {
          ++pos_;
        }
        in_executable_comment_ = true;
        continue;
      }
      const std::size_t end = sql_.find("*/", pos_ + 2);
      if (end == std::string_view::npos) return false;
      pos_ = end + 2;
    } else if (c == '*' && n == '/' && in_executable_comment_) {
      pos_ += 2;
      in_executable_comment_ = false;
    } else {
      return true;
    }
  }
  return !in_executable_comment_;
}

Token Tokenizer::make(TokenKind kind, std::size_t start) {
  Token token{kind, sql_.substr(start, pos_ - start), kind == TokenKind::kWord && after_dot_};
  after_dot_ = kind == TokenKind::kPunct && token.text == ".";
  return token;
}

Token Tokenizer::quoted(TokenKind kind, char quote) {
  const std::size_t start = pos_++;
  while (pos_ < sql_.size()) {
    const char c = sql_[pos_];
    if (c == '\\' && kind == TokenKind::kString) {
      pos_ += 2;
    } else if (c == quote) {
      if (pos_ + 1 < sql_.size() && sql_[pos_ + 1] == quote) {
        pos_ += 2;
      } else {
        ++pos_;
        return make(kind, start);
      }
    } else {
      ++pos_;
    }
  }
  failed_ = true;
  return Token{TokenKind::kError, {}, false};
}

Token Tokenizer::next() {
  if (failed_) return Token{TokenKind::kError, {}, false};
  if (!skip_ignored()) {
    failed_ = true;
    return Token{TokenKind::kError, {}, false};
  }
  if (pos_ >= sql_.size()) return Token{TokenKind::kEnd, {}, false};

  const std::size_t start = pos_;
  const char c = sql_[pos_];
  const char n = pos_ + 1 < sql_.size() ? sql_[pos_ + 1] : '\0';
  if (c == '\'' || c == '"') return quoted(TokenKind::kString, c);
  if (c == '`') return quoted(TokenKind::kQuotedIdent, c);
  if (is_word_byte(c)) {
    while (pos_ < sql_.size() && is_word_byte(sql_[pos_])) ++pos_;
    return make(TokenKind::kWord, start);
  }
  pos_ += (c == '@' && n == '@') || (c == ':' && n == '=') ? 2 : 1;
  return make(TokenKind::kPunct, start);
}

bool iequals(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (to_upper(text[i]) != upper[i]) return false;
  }
  return true;
}

bool is_keyword(const Token& token, std::string_view keyword) {
  return token.kind == TokenKind::kWord && !token.qualified && iequals(token.text, keyword);
}

bool is_punct(const Token& token, std::string_view punct) {
  return token.kind == TokenKind::kPunct && token.text == punct;
}

std::optional<std::string> token_value(const Token& token, std::size_t max_bytes) {
  if (token.kind == TokenKind::kWord) {
    if (token.text.size() > max_bytes) return std::nullopt;
    return std::string(token.text);
  }
  if ((token.kind != TokenKind::kString && token.kind != TokenKind::kQuotedIdent) ||
      token.text.size() < 2 || token.text.size() - 2 > max_bytes) {
    return std::nullopt;
  }
  const std::string_view body = token.text.substr(1, token.text.size() - 2);
  const char quote = token.text.front();
  std::string value;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const bool escape = body[i] == '\\' && token.kind == TokenKind::kString;
    if ((escape || body[i] == quote) && i + 1 < body.size()) ++i;  // \x, or a doubled quote
    value.push_back(body[i]);
  }
  return value;
}

}  // namespace grouter::routing::sql
