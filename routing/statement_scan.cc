// The classifier's pass over one statement's tokens.
#include "routing/statement_scan.h"

#include <array>
#include <string_view>

namespace grouter::routing::sql {
namespace {

// Functions that take a lock the connection holds until it releases it: the session must stay
// where the lock is (the list MySQL Router checks).
constexpr std::array<std::string_view, 5> kLockFunctions = {
    "GET_LOCK", "SERVICE_GET_WRITE_LOCKS", "SERVICE_GET_READ_LOCKS", "VERSION_TOKENS_LOCK_SHARED",
    "VERSION_TOKENS_LOCK_EXCLUSIVE"};

// Functions that read or change what only the primary's connection holds (its user locks, the
// last insert id or row count of its previous statement) or that write (sequences).
constexpr std::array<std::string_view, 12> kPrimaryFunctions = {"RELEASE_LOCK",
                                                                "RELEASE_ALL_LOCKS",
                                                                "IS_FREE_LOCK",
                                                                "IS_USED_LOCK",
                                                                "SERVICE_RELEASE_LOCKS",
                                                                "VERSION_TOKENS_UNLOCK",
                                                                "LAST_INSERT_ID",
                                                                "FOUND_ROWS",
                                                                "ROW_COUNT",
                                                                "NEXTVAL",
                                                                "SETVAL",
                                                                "LASTVAL"};

template <std::size_t N>
bool is_one_of(const Token& token, const std::array<std::string_view, N>& names) {
  for (std::string_view name : names) {
    if (is_keyword(token, name)) return true;
  }
  return false;
}

bool is_name(const Token& token) {
  return token.kind == TokenKind::kWord || token.kind == TokenKind::kString ||
         token.kind == TokenKind::kQuotedIdent;
}

}  // namespace

void StatementScan::note_call(const Token& name) {
  if (is_one_of(name, kLockFunctions)) features_.lock_function = true;
  if (is_one_of(name, kPrimaryFunctions)) features_.primary_function = true;
}

void StatementScan::add(const Token& token) {
  if (count_ < head_capacity_) head_.push_back(token);
  ++count_;

  if (dml_pending_) {
    dml_pending_ = false;
    if (!is_punct(token, "(")) features_.top_level_dml = true;
  }
  if (is_punct(token, "(")) {
    if (prev1_.kind == TokenKind::kWord) note_call(prev1_);
    ++depth_;
  } else if (is_punct(token, ")")) {
    if (depth_ > 0) --depth_;
  } else if (is_keyword(token, "UPDATE") || is_keyword(token, "SHARE")) {
    if (is_keyword(prev1_, "FOR")) features_.locking_read = true;
    if (is_keyword(prev2_, "LOCK") && is_keyword(prev1_, "IN")) features_.locking_read = true;
    if (depth_ == 0 && is_keyword(token, "UPDATE") && !is_keyword(prev1_, "FOR")) {
      features_.top_level_dml = true;
    }
  } else if (is_keyword(token, "DELETE")) {
    if (depth_ == 0) features_.top_level_dml = true;
  } else if (is_keyword(token, "INSERT") || is_keyword(token, "REPLACE")) {
    if (depth_ == 0) dml_pending_ = true;  // INSERT(...) and REPLACE(...) are string functions
  } else if (is_keyword(token, "SQL_CALC_FOUND_ROWS")) {
    features_.primary_function = true;  // its FOUND_ROWS() will be asked of the primary
  } else if (is_keyword(token, "INTO")) {
    features_.into = true;
  } else if (is_keyword(token, "FOR")) {
    if ((is_keyword(prev2_, "NEXT") || is_keyword(prev2_, "PREVIOUS")) &&
        is_keyword(prev1_, "VALUE")) {
      features_.primary_function = true;  // MariaDB sequences
    }
  } else if (is_punct(token, "@")) {
    if (is_keyword(prev1_, "INTO")) features_.into_user_var = true;
  } else if (is_punct(token, ":=")) {
    if (is_punct(prev2_, "@") && is_name(prev1_)) features_.user_var_assign = true;
  }
  prev2_ = prev1_;
  prev1_ = token;
}

}  // namespace grouter::routing::sql
