// Runs one admin-port statement for one session: parses it (sql_parser.h), answers reads from the
// group's state (admin_catalog.h) and turns GR's operations into GroupService calls
// (set_as_primary, force_members, set_option, start_member, stop_member, bootstrap_group) and
// reads GR's variables from GroupService::variables(). Every refusal is an SqlError with MySQL's
// code and a message that names the problem and what is supported; a refused statement changes
// nothing.
//
// A session names the member its per-member statements act on with USE <member name> (or USE
// <member_id>); DATABASE() shows the name.
//
// Threading: control loop only; GroupService's callbacks run there. execute() answers through
// DONE, at once or later (an operation on the group); DONE is not called once the caller's token
// (AdminSession::alive) has expired.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "metadata/group_service.h"
#include "router/admin/admin_catalog.h"
#include "router/admin/sql_ast.h"
#include "router/admin/sql_eval.h"

namespace grouter::admin {

// A note MySQL's SHOW WARNINGS lists: Level ("Warning" or "Error"), Code, Message.
struct Diagnostic {
  std::string level;
  SqlError error;
};

struct AdminSession {
  std::string user;
  std::string host;  // the client's address
  std::uint32_t connection_id = 0;
  std::string database;  // "" (none), "performance_schema" or a member's [storage_node:NAME]
  bool bootstrap_group = false;         // SET GLOBAL group_replication_bootstrap_group=ON was run
  std::vector<Diagnostic> diagnostics;  // the previous statement's warnings and error
  // The session's liveness: an answer that arrives after the session ended is dropped.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
};

struct OkReply {
  std::uint64_t affected_rows = 0;
  std::string info;
  std::uint16_t warnings = 0;
};

using Reply = std::variant<OkReply, SqlError, Table>;
using ReplyDone = std::function<void(Reply)>;

struct AdminFacts {
  std::string server_version;   // @@version, VERSION(), the greeting's version
  std::string version_comment;  // @@version_comment
  std::uint32_t max_allowed_packet = 0;
  std::vector<std::string> member_names;      // every [storage_node:NAME], configuration order
  std::vector<std::string> member_addresses;  // their addresses (host:port), the same order
};

// The member a session chose: its name, and its member_id ("" before it was first admitted).
struct ChosenMember {
  std::string name;
  std::string member_id;
};

class AdminExecutor {
 public:
  AdminExecutor(metadata::GroupService& group, AdminFacts facts);

  void execute(std::string_view sql, AdminSession& session, ReplyDone done);
  // COM_INIT_DB: as USE NAME.
  [[nodiscard]] Reply use(const std::string& name, AdminSession& session) const;
  const AdminFacts& facts() const { return facts_; }

  // The statements HELP lists: (statement, what it does).
  static std::vector<std::pair<std::string, std::string>> help_lines();

 private:
  Reply run_sync(const Statement& statement, AdminSession& session) const;
  Reply select(const Select& select, AdminSession& session) const;
  Reply show(const Show& show, AdminSession& session) const;
  Reply set(const Set& set, AdminSession& session, ReplyDone& done, bool& async);
  void call_function(const Expr& call, const std::string& label, AdminSession& session,
                     ReplyDone done);
  void group_replication_command(const GroupReplicationCommand& command, AdminSession& session,
                                 ReplyDone done);
  std::expected<Table, SqlError> table(const TableName& name, const AdminSession& session) const;
  NameValues all_variables(const AdminSession& session) const;
  // The member a session chose with USE, or the 1046 error that says how to choose one.
  std::expected<ChosenMember, SqlError> chosen_member(const AdminSession& session,
                                                      std::string_view statement) const;

  metadata::GroupService& group_;
  const AdminFacts facts_;
};

}  // namespace grouter::admin
