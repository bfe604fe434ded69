// Applying OK, EOF and ERR packets to SessionFacts, within its bounds.
#include "routing/session_facts.h"

#include <algorithm>
#include <type_traits>
#include <variant>

#include "protocol/mysql_wire/capabilities.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
namespace status = wire::server_status;

constexpr std::string_view kLastGtidVariable = "last_gtid";

bool fits(std::string_view text) {
  return text.size() <= SessionFacts::kMaxFactBytes;
}

// Sets TARGET to VALUE when it fits the bound; otherwise clears it and marks the facts incomplete.
void set_bounded(SessionFacts& facts, std::string& target, std::string_view value) {
  if (fits(value)) {
    target.assign(value);
  } else {
    target.clear();
    facts.incomplete = true;
  }
}

void apply_variable(SessionFacts& facts, const wire::TrackedSystemVariable& variable) {
  if (variable.name == kLastGtidVariable) set_bounded(facts, facts.last_gtid, variable.value);
  auto& list = facts.system_variables;
  auto it = std::find_if(list.begin(), list.end(),
                         [&](const auto& v) { return v.name == variable.name; });
  if (!fits(variable.name) || !fits(variable.value)) {
    if (it != list.end()) list.erase(it);
    facts.incomplete = true;
    return;
  }
  if (it != list.end()) {
    it->value = variable.value;
  } else if (list.size() < SessionFacts::kMaxTrackedVariables) {
    list.push_back(variable);
  } else {
    facts.incomplete = true;
  }
}

void apply_entry(SessionFacts& facts, const wire::SessionStateEntry& entry) {
  std::visit(
      [&facts](const auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, wire::TrackedSystemVariable>) {
          apply_variable(facts, e);
        } else if constexpr (std::is_same_v<T, wire::TrackedSchema>) {
          apply_schema(facts, e.schema);
        } else if constexpr (std::is_same_v<T, wire::TrackedStateChange>) {
          ++facts.state_changes;
        } else if constexpr (std::is_same_v<T, wire::TrackedGtids>) {
          set_bounded(facts, facts.gtids, e.gtids);
        } else if constexpr (std::is_same_v<T, wire::TrackedTransactionCharacteristics>) {
          set_bounded(facts, facts.transaction_characteristics, e.statements);
        } else if constexpr (std::is_same_v<T, wire::TrackedTransactionState>) {
          set_bounded(facts, facts.transaction_state, e.state);
        }
        // TrackedOther: a type this codec does not know carries nothing the router uses.
      },
      entry);
}

}  // namespace

bool SessionFacts::in_transaction() const {
  return (status_flags & status::kInTrans) != 0;
}
bool SessionFacts::autocommit() const {
  return (status_flags & status::kAutocommit) != 0;
}
bool SessionFacts::in_read_only_transaction() const {
  return (status_flags & status::kInTransReadonly) != 0;
}

const std::string* SessionFacts::variable(std::string_view name) const {
  for (const auto& v : system_variables) {
    if (v.name == name) return &v.value;
  }
  return nullptr;
}

void apply_ok(SessionFacts& facts, const wire::OkPacket& ok) {
  facts.status_flags = ok.status_flags;
  facts.warnings = ok.warnings;
  facts.affected_rows = ok.affected_rows;
  facts.last_insert_id = ok.last_insert_id;
  if (ok.status_flags & status::kDbDropped) facts.schema = std::string();
  for (const auto& entry : ok.session_state) apply_entry(facts, entry);
}

void apply_eof(SessionFacts& facts, const wire::EofPacket& eof) {
  facts.status_flags = eof.status_flags;
  facts.warnings = eof.warnings;
}

void apply_err(SessionFacts& facts, const wire::ErrPacket& err) {
  facts.last_error_code = err.error_code;
  facts.last_sql_state = err.sql_state;
  ++facts.errors;
}

void apply_schema(SessionFacts& facts, std::string_view schema) {
  if (fits(schema)) {
    facts.schema = std::string(schema);
  } else {
    facts.schema.reset();
    facts.incomplete = true;
  }
}

void reset_session_state(SessionFacts& facts) {
  facts.system_variables.clear();
  facts.transaction_state.clear();
  facts.transaction_characteristics.clear();
  facts.incomplete = false;
}

}  // namespace grouter::routing
