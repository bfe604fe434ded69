// The admin statements that act on the group: SET (session settings and GR's global options),
// GR's functions (set_as_primary, the mode switches) and START/STOP GROUP_REPLICATION.
#include <algorithm>

#include "router/admin/admin_executor.h"
#include "router/admin/admin_options.h"

namespace grouter::admin {
namespace {

using metadata::SwitchoverFailure;

constexpr std::string_view kSessionSettings[] = {"names",
                                                 "character_set",
                                                 "autocommit",
                                                 "sql_mode",
                                                 "character_set_client",
                                                 "character_set_results",
                                                 "character_set_connection",
                                                 "collation_connection",
                                                 "sql_log_bin",
                                                 "time_zone",
                                                 "wait_timeout",
                                                 "interactive_timeout",
                                                 "net_read_timeout",
                                                 "net_write_timeout",
                                                 "sql_select_limit",
                                                 "transaction_isolation",
                                                 "tx_isolation",
                                                 "sql_auto_is_null",
                                                 "sql_safe_updates",
                                                 "max_execution_time",
                                                 "lc_messages",
                                                 "sql_quote_show_create",
                                                 "foreign_key_checks",
                                                 "unique_checks",
                                                 "transaction_read_only",
                                                 "tx_read_only",
                                                 "session_track_schema",
                                                 "session_track_state_change",
                                                 "session_track_system_variables",
                                                 "session_track_transaction_info",
                                                 "profiling",
                                                 "net_buffer_length",
                                                 "max_statement_time",
                                                 "big_tables",
                                                 "sql_big_selects",
                                                 "default_storage_engine"};

// A SET or function argument: a literal, possibly negated. The admin port evaluates no more.
std::expected<Value, SqlError> literal_value(const Expr* e, std::string_view where) {
  if (e != nullptr && e->kind == Expr::Kind::kLiteral) return e->value;
  if (e != nullptr && e->kind == Expr::Kind::kNegate && e->args[0]->kind == Expr::Kind::kLiteral) {
    if (const auto* n = std::get_if<std::int64_t>(&e->args[0]->value)) return Value{-*n};
  }
  return std::unexpected(SqlError{1064, "42000",
                                  std::string(where) +
                                      " takes a literal value (a 'string', a "
                                      "number, ON or OFF) on grouter's admin port"});
}

Table one_text(const std::string& label, std::string text) {
  Table t{
      "",
      "",
      {varchar_column(label, static_cast<std::uint32_t>(std::max<std::size_t>(text.size(), 1)))},
      {}};
  t.rows.push_back({std::move(text)});
  return t;
}

SqlError cannot_initialize(std::string_view function, const std::string& why) {
  return SqlError{1123, "HY000",
                  "Can't initialize function '" + std::string(function) + "'; " + why};
}

SqlError function_failed(std::string_view function, const std::string& why) {
  return SqlError{3910, "HY000", "The function '" + std::string(function) + "' failed. " + why};
}

// A group operation the group refused or could not finish: GR's 3092 with the group's reason.
SqlError group_refused(const std::string& statement, const SwitchoverFailure& failure) {
  const bool unchanged = failure.kind != SwitchoverFailure::Kind::kFailed;
  return SqlError{3092, "HY000",
                  statement + " was not done: " + failure.message +
                      (unchanged ? " (the group is unchanged)" : "")};
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

// force_members' "host:port,host:port" as member_ids of STATE, or 1231 naming the address that
// is no member's.
std::expected<std::vector<std::string>, SqlError> forced_member_ids(
    const metadata::GroupState& state, const std::string& list) {
  constexpr std::string_view kName = "group_replication_force_members";
  auto refuse = [&](const std::string& why) {
    return SqlError{1231, "42000",
                    "Variable '" + std::string(kName) + "' can't be set to the value of '" + list +
                        "': " + why};
  };
  std::vector<std::string> ids;
  std::size_t start = 0;
  while (start <= list.size()) {
    std::size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    const std::string address = trim(std::string_view(list).substr(start, end - start));
    start = end + 1;
    if (address.empty()) continue;
    const std::size_t colon = address.rfind(':');
    if (colon == std::string::npos)
      return std::unexpected(refuse("'" + address + "' is not host:port"));
    std::string host = address.substr(0, colon);
    const std::string port = address.substr(colon + 1);
    if (host == "localhost") host = "127.0.0.1";
    std::string addresses;
    const metadata::Member* found = nullptr;
    for (const auto& m : state.members) {
      const std::string mine = m.host == "localhost" ? "127.0.0.1" : m.host;
      addresses += (addresses.empty() ? "" : ", ") + m.host + ":" + std::to_string(m.port);
      if (mine == host && std::to_string(m.port) == port) found = &m;
    }
    if (found == nullptr) {
      return std::unexpected(
          refuse(address + " is no member's address (the members: " + addresses + ")"));
    }
    if (found->member_id.empty()) {
      return std::unexpected(refuse(address + " (" + found->name + ") has never joined the group"));
    }
    if (std::ranges::find(ids, found->member_id) == ids.end()) ids.push_back(found->member_id);
  }
  return ids;
}

}  // namespace

Reply AdminExecutor::set(const Set& set, AdminSession& session, ReplyDone& done, bool& async) {
  struct GroupAction {
    std::string option;  // without the prefix: force_members or a runtime option
    std::string value;
  };
  std::optional<GroupAction> action;
  std::optional<bool> bootstrap;
  for (const SetItem& item : set.items) {
    auto value = literal_value(item.value.get(), "SET " + item.name);
    if (!value) return value.error();
    const bool group_variable = item.name.starts_with(kGroupPrefix);
    if (!group_variable) {
      if (item.scope == SetItem::Scope::kGlobal ||
          std::ranges::find(kSessionSettings, item.name) == std::end(kSessionSettings)) {
        return refuse_global(item.name);
      }
      continue;  // a session setting: accepted, nothing to change
    }
    if (item.scope != SetItem::Scope::kGlobal) {
      return SqlError{
          1229, "HY000",
          "Variable '" + item.name + "' is a GLOBAL variable and should be set with SET GLOBAL"};
    }
    const std::string option = item.name.substr(kGroupPrefix.size());
    if (option == "bootstrap_group") {
      auto on = check_boolean(item.name, *value);
      if (!on) return on.error();
      bootstrap = *on;
      continue;
    }
    if (action) {
      return SqlError{1064, "42000",
                      "one group_replication_ option per SET statement: the group decides each "
                      "change on its own"};
    }
    if (option == "force_members") {
      if (!std::holds_alternative<std::string>(*value)) {
        return SqlError{1232, "42000", "Incorrect argument type to variable '" + item.name + "'"};
      }
      action = GroupAction{option, std::get<std::string>(*value)};
      continue;
    }
    if (std::ranges::find(runtime_options(), option) == runtime_options().end()) {
      return refuse_global(item.name);
    }
    auto checked = check_option_value(option, *value);
    if (!checked) return checked.error();
    action = GroupAction{option, *checked};
  }
  if (bootstrap) session.bootstrap_group = *bootstrap;
  if (!action) return OkReply{};

  if (action->option == "force_members") {
    auto ids = forced_member_ids(*group_.state(), action->value);
    if (!ids) return ids.error();
    if (ids->empty()) return OkReply{};  // GR: an empty value changes nothing
    async = true;
    const std::string list = action->value;
    group_.force_members(*ids, [done,
                                list](std::expected<metadata::ForceResult, SwitchoverFailure> r) {
      if (!r) {
        done(SqlError{1231, "42000",
                      "Variable 'group_replication_force_members' can't be set to the value of '" +
                          list + "': " + r.error().message});
        return;
      }
      OkReply ok;
      ok.info = "view " + r->view_id;
      if (!r->may_lose.empty()) ok.info += "; may lose: " + r->may_lose;
      if (!r->waiting.empty()) ok.info += "; waiting: " + r->waiting;
      done(ok);
    });
    return OkReply{};
  }
  std::string member;
  if (is_per_member_option(action->option)) {
    auto chosen =
        chosen_member(session, "SET GLOBAL " + std::string(kGroupPrefix) + action->option);
    if (!chosen) return chosen.error();
    member = chosen->name;
  }
  async = true;
  const std::string name = std::string(kGroupPrefix) + action->option;
  const std::string value = action->value;
  group_.set_option(
      action->option, value, member,
      [done, name, value](std::expected<std::string, SwitchoverFailure> r) {
        if (r) return done(OkReply{0, *r, 0});
        if (r.error().kind == SwitchoverFailure::Kind::kInvalidRequest) {
          return done(SqlError{1231, "42000",
                               "Variable '" + name + "' can't be set to the value of '" + value +
                                   "': " + r.error().message});
        }
        done(group_refused("SET GLOBAL " + name, r.error()));
      });
  return OkReply{};
}

void AdminExecutor::call_function(const Expr& call, const std::string& label,
                                  AdminSession& /*session*/, ReplyDone done) {
  const std::string& name = call.name;
  std::vector<Value> args;
  for (const auto& a : call.args) {
    auto v = literal_value(a.get(), name + "()");
    if (!v) return done(v.error());
    args.push_back(std::move(*v));
  }
  const auto state = group_.state();
  if (name == "group_replication_set_as_primary") {
    if (args.empty() || args.size() > 2 || !std::holds_alternative<std::string>(args[0])) {
      return done(cannot_initialize(name, "Wrong arguments: You need to specify a server uuid."));
    }
    const std::string id = std::get<std::string>(args[0]);
    const metadata::Member* m = state->find(id);
    if (m == nullptr || !m->in_view) {
      return done(cannot_initialize(name, "The requested uuid is not a member of the group."));
    }
    if (state->primary && *state->primary == id) {
      return done(one_text(label, "The requested member is already the current group primary."));
    }
    group_.set_as_primary(id, [done, id, name, label](std::expected<void, SwitchoverFailure> r) {
      if (r) return done(one_text(label, "Primary server switched to: " + id));
      if (r.error().kind == SwitchoverFailure::Kind::kInvalidRequest) {
        return done(cannot_initialize(name, r.error().message));
      }
      done(function_failed(name, r.error().message));
    });
    return;
  }
  if (name == "group_replication_switch_to_single_primary_mode") {
    if (args.size() > 1 || (args.size() == 1 && !std::holds_alternative<std::string>(args[0]))) {
      return done(cannot_initialize(name,
                                    "Wrong arguments: The function takes at most one "
                                    "argument, a server uuid."));
    }
    return done(one_text(label, "The group is already on single-primary mode."));
  }
  if (name == "group_replication_switch_to_multi_primary_mode") {
    if (!args.empty()) {
      return done(cannot_initialize(name, "Wrong arguments: This function takes no arguments."));
    }
    return done(cannot_initialize(
        name,
        "grouter keeps single-primary groups only: multi-primary mode needs storage nodes "
        "that certify transactions themselves (Galera), and these replicate with MariaDB's "
        "GTID replication; the group is unchanged"));
  }
  done(SqlError{1305, "42000",
                "FUNCTION " + name +
                    " does not exist on grouter's admin port (it has "
                    "group_replication_set_as_primary(), "
                    "group_replication_switch_to_single_primary_mode(), "
                    "group_replication_switch_to_multi_primary_mode())"});
}

void AdminExecutor::group_replication_command(const GroupReplicationCommand& command,
                                              AdminSession& session, ReplyDone done) {
  const std::string statement =
      command.start ? "START GROUP_REPLICATION" : "STOP GROUP_REPLICATION";
  auto member = chosen_member(session, statement);
  if (!member) return done(member.error());
  const bool bootstrap = command.start && session.bootstrap_group;
  auto answer = [done, statement,
                 start = command.start](std::expected<std::string, SwitchoverFailure> r) {
    if (r) return done(OkReply{0, *r, 0});
    if (start && r.error().kind == SwitchoverFailure::Kind::kInvalidRequest) {
      // GR's answer to a START on a member that is running already.
      return done(SqlError{3093, "HY000",
                           "The START GROUP_REPLICATION command failed since the group is already "
                           "running: " +
                               r.error().message});
    }
    done(group_refused(statement, r.error()));
  };
  if (bootstrap) return group_.bootstrap_group(member->name, std::move(answer));
  if (command.start) return group_.start_member(member->name, std::move(answer));
  group_.stop_member(member->name, std::move(answer));
}

}  // namespace grouter::admin
