// The group controller's SQL plumbing: statements on one node or on several at once, GTID
// positions, bounded waits, timers, and the admin connection of each node.
#include "metadata/group_controller.h"

#include "metadata/controller_support.h"

namespace grouter::metadata {

using Kind = sql::SqlError::Kind;

Task<GroupController::OpResult> GroupController::run(Node* node,
                                                     std::vector<std::string> statements) {
  for (const std::string& statement : statements) {
    auto r = co_await sql(node, statement);
    if (!r) {
      co_return std::unexpected(node->config.name + ": " +
                                statement.substr(0, statement.find(" MASTER_PASSWORD")) + ": " +
                                r.error().to_string());
    }
  }
  co_return OpResult{};
}

Task<std::expected<GtidPosition, std::string>> GroupController::executed(Node* node) {
  auto r = co_await sql(node, "SELECT @@gtid_current_pos");
  if (!r) co_return std::unexpected(node->config.name + ": " + r.error().to_string());
  auto position = parse_gtid_position(position_column(*r, 0));
  if (!position) co_return std::unexpected(node->config.name + ": malformed gtid_current_pos");
  co_return *position;
}

Task<std::expected<GtidPosition, std::string>> GroupController::received(Node* node) {
  auto r = co_await sql(node, "SHOW SLAVE STATUS");
  if (!r) co_return std::unexpected(node->config.name + ": " + r.error().to_string());
  if (r->rows.empty()) co_return GtidPosition{};
  auto index = r->column_index("Gtid_IO_Pos");
  if (!index) co_return std::unexpected(node->config.name + ": no Gtid_IO_Pos");
  auto position = parse_gtid_position(position_column(*r, *index));
  if (!position) co_return std::unexpected(node->config.name + ": malformed Gtid_IO_Pos");
  co_return *position;
}

Task<GroupController::OpResult> GroupController::wait_executed(Node* node, GtidPosition target,
                                                               int64_t timeout_ms) {
  const int64_t deadline = monotonic_ms() + timeout_ms;
  while (true) {
    auto position = co_await executed(node);
    if (!position) co_return std::unexpected(position.error());
    if (covers(*position, target)) co_return OpResult{};
    if (monotonic_ms() >= deadline || stopping_) {
      co_return std::unexpected(node->config.name + " did not apply " + to_string(target) +
                                " within " + std::to_string(timeout_ms) + " ms (it has " +
                                to_string(*position) + ")");
    }
    co_await sleep(20);
  }
}

Task<GroupController::OpResult> GroupController::wait_semi_sync_client(Node* node,
                                                                       int64_t timeout_ms) {
  const int64_t deadline = monotonic_ms() + timeout_ms;
  while (true) {
    auto r = co_await sql(node, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_clients'");
    if (!r) co_return std::unexpected(node->config.name + ": " + r.error().to_string());
    const std::string value =
        r->rows.empty() || r->rows[0].size() < 2 ? "0" : r->rows[0][1].value_or("0");
    if (value != "0") co_return OpResult{};
    if (monotonic_ms() >= deadline || stopping_) {
      co_return std::unexpected("no semi-sync replica connected within " +
                                std::to_string(timeout_ms) + " ms");
    }
    co_await sleep(20);
  }
}

CallbackAwaiter<GroupController::SqlResult> GroupController::sql(Node* node,
                                                                 std::string statement) {
  return CallbackAwaiter<SqlResult>(
      [this, node, statement = std::move(statement)](std::function<void(SqlResult)> done) {
        sql::SqlConnection* connection = admin(*node);
        if (connection == nullptr) {
          done(std::unexpected(sql::make_error(Kind::kCancelled, "grouter is stopping")));
          return;
        }
        connection->query(statement, [node, done = std::move(done)](SqlResult r) {
          if (!r && r.error().kind != Kind::kServer && r.error().kind != Kind::kQueueFull) {
            node->admin_broken = true;
          }
          done(std::move(r));
        });
      });
}

void GroupController::after(int64_t ms, std::function<void()> fn) {
  struct OneShot {
    uv_timer_t timer{};
    std::function<void()> fn;
  };
  auto* shot = new OneShot{};
  shot->fn = std::move(fn);
  uv_timer_init(loop_, &shot->timer);
  shot->timer.data = shot;
  uv_timer_start(
      &shot->timer,
      [](uv_timer_t* t) {
        auto* one = static_cast<OneShot*>(t->data);
        auto run = std::move(one->fn);
        uv_close(reinterpret_cast<uv_handle_t*>(t),
                 [](uv_handle_t* h) { delete static_cast<OneShot*>(h->data); });
        run();
      },
      static_cast<uint64_t>(ms), 0);
}

CallbackAwaiter<std::vector<GroupController::SqlResult>> GroupController::sql_all(
    std::vector<Node*> nodes, std::string statement) {
  using Results = std::vector<SqlResult>;
  return CallbackAwaiter<Results>(
      [this, nodes = std::move(nodes),
       statement = std::move(statement)](std::function<void(Results)> done) {
        struct Gather {
          Results results;
          size_t pending = 0;
          std::function<void(Results)> done;
        };
        auto gather = std::make_shared<Gather>();
        gather->results.assign(nodes.size(),
                               std::unexpected(sql::make_error(Kind::kCancelled, "not run")));
        gather->pending = nodes.size() + 1;  // +1 until every statement is sent
        gather->done = std::move(done);
        auto finish_one = [gather] {
          if (--gather->pending == 0) gather->done(std::move(gather->results));
        };
        for (size_t i = 0; i < nodes.size(); ++i) {
          Node* node = nodes[i];
          sql::SqlConnection* connection = admin(*node);
          if (connection == nullptr) {
            finish_one();
            continue;
          }
          connection->query(statement, [node, gather, i, finish_one](SqlResult r) {
            if (!r && r.error().kind != Kind::kServer && r.error().kind != Kind::kQueueFull) {
              node->admin_broken = true;
            }
            gather->results[i] = std::move(r);
            finish_one();
          });
        }
        finish_one();
      });
}

CallbackAwaiter<bool> GroupController::sleep(int64_t ms) {
  return CallbackAwaiter<bool>([this, ms](std::function<void(bool)> done) {
    after(ms, [done = std::move(done)] { done(true); });
  });
}

sql::SqlConnection* GroupController::admin(Node& node) {
  if (stopping_) return nullptr;
  if (node.admin && node.admin_broken) dispose(std::move(node.admin));
  node.admin_broken = false;
  if (!node.admin) {
    sql::ConnectOptions options;
    options.host = node.config.host;
    options.port = node.config.port;
    options.user = config_.cluster_user;
    options.password = config_.cluster_password;
    options.connect_timeout_ms = 1000;
    options.query_timeout_ms = config_.admin_query_timeout_ms;
    node.admin = std::make_unique<sql::SqlConnection>(loop_, logger_, options);
    node.admin->connect([](const std::expected<sql::ServerInfo, sql::SqlError>&) {});
  }
  return node.admin.get();
}

void GroupController::dispose(std::unique_ptr<sql::SqlConnection> connection) {
  if (!connection) return;
  ++closing_handles_;
  sql::SqlConnection* raw = connection.release();
  raw->close([this, raw] {
    delete raw;
    --closing_handles_;
    maybe_closed();
  });
}

}  // namespace grouter::metadata
