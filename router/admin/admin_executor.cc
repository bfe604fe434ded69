// Dispatch of admin statements, and the reads: SELECT, SHOW, USE, HELP.
#include "router/admin/admin_executor.h"

#include <algorithm>

#include "router/admin/admin_options.h"
#include "router/admin/sql_parser.h"

namespace grouter::admin {
namespace {

using metadata::Member;

char fold(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return fold(x) == fold(y); });
}

class SessionEnvironment final : public Environment {
 public:
  SessionEnvironment(const AdminFacts& facts, const AdminSession& session, NameValues variables)
      : facts_(facts), session_(session), variables_(std::move(variables)) {}

  std::expected<Value, SqlError> variable(const std::string& /*scope*/,
                                          const std::string& name) const override {
    for (const auto& [n, v] : variables_) {
      if (!iequal(n, name)) continue;
      if (v == "ON") return Value{std::int64_t{1}};
      if (v == "OFF") return Value{std::int64_t{0}};
      const bool digits = !v.empty() && v.size() < 19 && std::ranges::all_of(v, [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      });
      if (digits) return Value{static_cast<std::int64_t>(std::stoll(v))};
      return Value{v};
    }
    return std::unexpected(SqlError{1193, "HY000",
                                    "Unknown system variable '" + name +
                                        "' (SHOW VARIABLES lists the admin port's variables)"});
  }

  std::expected<Value, SqlError> function(const std::string& name,
                                          const std::vector<Value>& args) const override {
    if (!args.empty() && (name == "database" || name == "schema" || name == "user" ||
                          name == "current_user" || name == "version" || name == "connection_id")) {
      return std::unexpected(
          SqlError{1582, "42000",
                   "Incorrect parameter count in the call to native function '" + name + "'"});
    }
    if (name == "database" || name == "schema") {
      if (session_.database.empty()) return Value{};
      return Value{session_.database};
    }
    if (name == "user" || name == "current_user" || name == "session_user" ||
        name == "system_user") {
      return Value{session_.user + "@" + (name == "current_user" ? "%" : session_.host)};
    }
    if (name == "version") return Value{facts_.server_version};
    if (name == "connection_id") return Value{std::int64_t{session_.connection_id}};
    if (name.starts_with(kGroupPrefix)) {
      return std::unexpected(
          SqlError{1305, "42000",
                   "FUNCTION " + name + " must be called alone, as SELECT " + name + "(...)"});
    }
    return std::unexpected(SqlError{
        1305, "42000",
        "FUNCTION " + name +
            " does not exist (the admin port has DATABASE(), USER(), CURRENT_USER(), VERSION(), "
            "CONNECTION_ID() and GR's group_replication_set_as_primary(), "
            "group_replication_switch_to_single_primary_mode(), "
            "group_replication_switch_to_multi_primary_mode())"});
  }

 private:
  const AdminFacts& facts_;
  const AdminSession& session_;
  const NameValues variables_;
};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

Table warnings_table(const std::vector<Diagnostic>& diagnostics, bool errors_only) {
  Table t{"",
          "",
          {varchar_column("Level", 7),
           Column{"Code", mysql_wire::ColumnType::kLong, 4, column_flag::kUnsigned},
           varchar_column("Message", 512)},
          {}};
  for (const Diagnostic& d : diagnostics) {
    if (errors_only && d.level != "Error") continue;
    t.rows.push_back({d.level, std::int64_t{d.error.code}, d.error.message});
  }
  return t;
}

// A listing narrowed by SHOW's LIKE (on its first column) or WHERE.
Reply narrowed(Table t, const Show& show, const Environment& env) {
  if (show.like) {
    std::erase_if(t.rows, [&](const Row& r) {
      return !like_matches(to_text(r[0]).value_or(""), *show.like);
    });
  }
  auto filtered = filter_rows(std::move(t), show.where.get(), env);
  if (!filtered) return filtered.error();
  return std::move(*filtered);
}

}  // namespace

AdminExecutor::AdminExecutor(metadata::GroupService& group, AdminFacts facts)
    : group_(group), facts_(std::move(facts)) {}

std::vector<std::pair<std::string, std::string>> AdminExecutor::help_lines() {
  return {
      {"SELECT ... FROM performance_schema.replication_group_members",
       "the members as GR shows them; column lists or *, WHERE, ORDER BY, LIMIT"},
      {"SELECT ... FROM performance_schema.replication_group_member_stats",
       "each member's transactions: queued, checked, applied, in the applier queue"},
      {"SELECT ... FROM performance_schema.global_status | global_variables",
       "the listings of SHOW STATUS and SHOW VARIABLES as tables"},
      {"SHOW [GLOBAL] STATUS [LIKE 'pattern']", "group_replication_primary_member"},
      {"SHOW [GLOBAL] VARIABLES [LIKE 'group_replication%']",
       "GR's variables (of the member chosen with USE)"},
      {"SELECT @@[global.]group_replication_name, ...", "one or more variables"},
      {"SELECT group_replication_set_as_primary('member_id')", "switch the primary over"},
      {"SELECT group_replication_switch_to_single_primary_mode([member_id])",
       "the group is single-primary already"},
      {"SELECT group_replication_switch_to_multi_primary_mode()",
       "refused: grouter keeps single-primary groups"},
      {"SET GLOBAL group_replication_force_members = 'host:port,...'",
       "force a view of these members while no primary leads"},
      {"SET GLOBAL group_replication_<option> = value",
       "member_weight (the USE member), member_expel_timeout, consistency, recovery_retry_count, "
       "recovery_reconnect_interval, exit_state_action, autorejoin_tries, "
       "unreachable_majority_timeout"},
      {"START GROUP_REPLICATION / STOP GROUP_REPLICATION",
       "the USE member joins or leaves the group"},
      {"SET GLOBAL group_replication_bootstrap_group = ON; START GROUP_REPLICATION",
       "bootstrap the group from the USE member"},
      {"USE member_name | member_id", "choose the member per-member statements act on"},
      {"SHOW DATABASES, SHOW TABLES, SELECT DATABASE(), SHOW WARNINGS", "where you are"},
      {"SET NAMES ..., SET autocommit = ..., SET sql_log_bin = ...",
       "session settings clients send; accepted, they change nothing here"},
      {"HELP", "this list"},
  };
}

void AdminExecutor::execute(std::string_view sql, AdminSession& session, ReplyDone done) {
  auto parsed = parse_statement(sql);
  // SHOW WARNINGS reads the previous statement's notes; every other statement replaces them.
  const bool keeps_diagnostics = parsed && std::holds_alternative<Show>(*parsed) &&
                                 (std::get<Show>(*parsed).kind == Show::Kind::kWarnings ||
                                  std::get<Show>(*parsed).kind == Show::Kind::kErrors);
  if (!keeps_diagnostics) session.diagnostics.clear();
  ReplyDone finish = [&session, done = std::move(done),
                      alive = std::weak_ptr<bool>(session.alive)](Reply reply) {
    if (alive.expired()) return;
    if (const auto* error = std::get_if<SqlError>(&reply)) {
      session.diagnostics.push_back(Diagnostic{"Error", *error});
    }
    done(std::move(reply));
  };
  if (!parsed) return finish(parsed.error());
  const Statement& statement = *parsed;
  if (const auto* s = std::get_if<Select>(&statement)) {
    const bool udf = !s->from && s->items.size() == 1 && s->items[0].expr &&
                     s->items[0].expr->kind == Expr::Kind::kFunction &&
                     s->items[0].expr->name.starts_with(kGroupPrefix);
    if (udf) return call_function(*s->items[0].expr, s->items[0].label, session, std::move(finish));
  }
  if (const auto* s = std::get_if<Set>(&statement)) {
    bool async = false;
    Reply reply = set(*s, session, finish, async);
    if (!async) finish(std::move(reply));
    return;
  }
  if (const auto* c = std::get_if<GroupReplicationCommand>(&statement)) {
    return group_replication_command(*c, session, std::move(finish));
  }
  finish(run_sync(statement, session));
}

Reply AdminExecutor::run_sync(const Statement& statement, AdminSession& session) const {
  if (const auto* s = std::get_if<Select>(&statement)) return select(*s, session);
  if (const auto* s = std::get_if<Show>(&statement)) return show(*s, session);
  if (const auto* u = std::get_if<Use>(&statement)) return use(u->name, session);
  Table t{"", "", {varchar_column("Statement", 80), varchar_column("Description", 160)}, {}};
  for (auto& [statement_text, what] : help_lines()) t.rows.push_back({statement_text, what});
  return t;
}

Reply AdminExecutor::use(const std::string& name, AdminSession& session) const {
  if (iequal(name, kPerformanceSchema)) {
    session.database = kPerformanceSchema;
    return OkReply{};
  }
  for (const std::string& n : facts_.member_names) {
    if (n == name) {
      session.database = n;
      return OkReply{};
    }
  }
  for (const Member& m : group_.state()->members) {
    if (!m.member_id.empty() && iequal(m.member_id, name)) {
      session.database = m.name;
      return OkReply{};
    }
  }
  return SqlError{1049, "42000",
                  "Unknown database '" + name + "': USE takes a member's name (" +
                      joined(facts_.member_names) + "), its member_id, or performance_schema"};
}

std::expected<ChosenMember, SqlError> AdminExecutor::chosen_member(
    const AdminSession& session, std::string_view statement) const {
  if (std::ranges::find(facts_.member_names, session.database) != facts_.member_names.end()) {
    ChosenMember chosen{session.database, ""};
    for (const Member& m : group_.state()->members) {
      if (m.name == session.database) chosen.member_id = m.member_id;
    }
    return chosen;
  }
  return std::unexpected(SqlError{1046, "3D000",
                                  "No database selected: " + std::string(statement) +
                                      " acts on one member; choose it first with USE <member> "
                                      "(one of " +
                                      joined(facts_.member_names) +
                                      "; SHOW DATABASES lists them)"});
}

NameValues AdminExecutor::all_variables(const AdminSession& session) const {
  std::string member;
  if (auto m = chosen_member(session, "")) member = m->name;
  NameValues v = {
      {"version", facts_.server_version},
      {"version_comment", facts_.version_comment},
      {"max_allowed_packet", std::to_string(facts_.max_allowed_packet)},
      {"autocommit", "ON"},
      {"character_set_client", "utf8mb4"},
      {"character_set_connection", "utf8mb4"},
      {"character_set_results", "utf8mb4"},
      {"character_set_server", "utf8mb4"},
      {"collation_connection", "utf8mb4_general_ci"},
      {"collation_server", "utf8mb4_general_ci"},
      {"lower_case_table_names", "0"},
      {"sql_mode", ""},
      {"transaction_isolation", "REPEATABLE-READ"},
      {"tx_isolation", "REPEATABLE-READ"},
      {"time_zone", "SYSTEM"},
      {"system_time_zone", "UTC"},
      {"wait_timeout", "28800"},
      {"interactive_timeout", "28800"},
      {"net_write_timeout", "60"},
      {"sql_select_limit", "18446744073709551615"},
      {"license", "GPL"},
      {"auto_increment_increment", "1"},
      {"performance_schema", "ON"},
      {"read_only", "ON"},
  };
  for (auto& entry : group_.variables(member)) {
    // This session's bootstrap_group is what its next START GROUP_REPLICATION reads.
    if (entry.first == "group_replication_bootstrap_group") continue;
    v.push_back(std::move(entry));
  }
  // GR's address variables, from the configured addresses: the chosen member's own, and all.
  std::string local;
  std::string seeds;
  for (std::size_t i = 0; i < facts_.member_names.size() && i < facts_.member_addresses.size();
       ++i) {
    if (facts_.member_names[i] == member) local = facts_.member_addresses[i];
    seeds += (seeds.empty() ? "" : ",") + facts_.member_addresses[i];
  }
  v.emplace_back("group_replication_bootstrap_group", session.bootstrap_group ? "ON" : "OFF");
  v.emplace_back("group_replication_local_address", local);
  v.emplace_back("group_replication_group_seeds", seeds);
  v.emplace_back("group_replication_communication_stack", kCommunicationStack);
  std::ranges::sort(v);
  return v;
}

std::expected<Table, SqlError> AdminExecutor::table(const TableName& name,
                                                    const AdminSession& session) const {
  const bool schema_ok =
      iequal(name.schema, kPerformanceSchema) ||
      (name.schema.empty() && (iequal(session.database, kPerformanceSchema) ||
                               session.database.empty() || chosen_member(session, "").has_value()));
  const auto state = group_.state();
  if (schema_ok) {
    if (iequal(name.name, "replication_group_members")) return members_table(*state);
    if (iequal(name.name, "replication_group_member_stats")) {
      return member_stats_table(*state, group_.member_progress());
    }
    if (iequal(name.name, "global_status")) {
      return name_value_table(kPerformanceSchema, "global_status", "VARIABLE_NAME",
                              "VARIABLE_VALUE", group_statuses(*state));
    }
    if (iequal(name.name, "global_variables")) {
      return name_value_table(kPerformanceSchema, "global_variables", "VARIABLE_NAME",
                              "VARIABLE_VALUE", all_variables(session));
    }
  }
  const std::string full = (name.schema.empty() ? session.database : name.schema) + "." + name.name;
  std::string tables;
  for (const auto& t : performance_schema_tables()) tables += (tables.empty() ? "" : ", ") + t;
  return std::unexpected(SqlError{1146, "42S02",
                                  "Table '" + full +
                                      "' doesn't exist: grouter's admin port holds no data (use a "
                                      "route's port for the storage nodes' tables); it has "
                                      "performance_schema." +
                                      tables});
}

Reply AdminExecutor::select(const Select& select, AdminSession& session) const {
  SessionEnvironment env(facts_, session, all_variables(session));
  if (!select.from) {
    auto result = run_select(select, nullptr, env);
    if (!result) return result.error();
    return std::move(*result);
  }
  auto from = table(*select.from, session);
  if (!from) return from.error();
  auto result = run_select(select, &*from, env);
  if (!result) return result.error();
  return std::move(*result);
}

Reply AdminExecutor::show(const Show& show, AdminSession& session) const {
  SessionEnvironment env(facts_, session, all_variables(session));
  const auto state = group_.state();
  switch (show.kind) {
    case Show::Kind::kDatabases: {
      std::vector<std::string> names{kPerformanceSchema};
      names.insert(names.end(), facts_.member_names.begin(), facts_.member_names.end());
      return narrowed(list_table("Database", names), show, env);
    }
    case Show::Kind::kTables: {
      const std::string db = show.from.empty() ? session.database : show.from;
      if (db.empty()) return SqlError{1046, "3D000", "No database selected"};
      std::vector<std::string> names;
      if (iequal(db, kPerformanceSchema)) {
        names = performance_schema_tables();
      } else if (std::ranges::find(facts_.member_names, db) == facts_.member_names.end()) {
        return SqlError{1049, "42000", "Unknown database '" + db + "'"};
      }
      return narrowed(list_table("Tables_in_" + db, names), show, env);
    }
    case Show::Kind::kStatus:
      return narrowed(name_value_table("", "", "Variable_name", "Value", group_statuses(*state)),
                      show, env);
    case Show::Kind::kVariables:
      return narrowed(name_value_table("", "", "Variable_name", "Value", all_variables(session)),
                      show, env);
    case Show::Kind::kWarnings:
    case Show::Kind::kErrors:
      return warnings_table(session.diagnostics, show.kind == Show::Kind::kErrors);
    case Show::Kind::kPlugins: {
      Table t{"",
              "",
              {varchar_column("Name", 64), varchar_column("Status", 10), varchar_column("Type", 80),
               varchar_column("Library", 64), varchar_column("License", 80)},
              {}};
      t.rows.push_back({"group_replication", "ACTIVE", "GROUP REPLICATION", Value{}, "GPL"});
      return narrowed(std::move(t), show, env);
    }
  }
  return SqlError{1064, "42000", "unsupported SHOW"};
}

}  // namespace grouter::admin
