// One pass over the tokens of a single statement for the classifier: keeps the first kHeadTokens
// tokens (the statement's structure is read from them) and notes, anywhere in the statement, the
// constructs that send a read to the primary or pin the session. Pure; bounded memory; the tokens
// are views into the caller's text.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "routing/sql_tokenizer.h"

namespace grouter::routing::sql {

struct StatementFeatures {
  // FOR UPDATE, FOR SHARE, LOCK IN SHARE MODE
  bool locking_read = false;
  // GET_LOCK() and the other functions that take a user lock
  bool lock_function = false;
  // RELEASE_LOCK(), LAST_INSERT_ID(), FOUND_ROWS(), NEXTVAL(), NEXT VALUE FOR, SQL_CALC_FOUND_ROWS
  bool primary_function = false;
  // INTO anywhere (in a SELECT: INTO OUTFILE | DUMPFILE | @var), and INTO @var
  bool into = false;
  bool into_user_var = false;
  // @var := ... (outside SET, where it is the assignment itself)
  bool user_var_assign = false;
  // INSERT, UPDATE, DELETE, REPLACE outside parentheses (but not FOR UPDATE, REPLACE(...))
  bool top_level_dml = false;
};

class StatementScan {
 public:
  explicit StatementScan(std::size_t head_capacity) : head_capacity_(head_capacity) {}

  void add(const Token& token);

  bool empty() const { return count_ == 0; }
  std::span<const Token> head() const { return head_; }
  bool head_complete() const { return count_ <= head_capacity_; }
  const StatementFeatures& features() const { return features_; }

 private:
  void note_call(const Token& name);

  std::size_t head_capacity_;
  std::vector<Token> head_;
  std::size_t count_ = 0;
  std::size_t depth_ = 0;     // parentheses open
  Token prev1_;               // the previous token
  Token prev2_;               // the one before
  bool dml_pending_ = false;  // prev1_ is a top-level INSERT/REPLACE that may be a function
  StatementFeatures features_;
};

}  // namespace grouter::routing::sql
