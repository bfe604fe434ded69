// Reading mysql.user for terminated sessions.
#include "router/account_reader.h"

#include "protocol/mysql_wire/scramble.h"

namespace grouter {
namespace {

namespace sql = metadata::sql;

constexpr const char* kAccountsQuery =
    "SELECT User, Host, plugin, authentication_string, Password FROM mysql.user";

std::string column(const std::vector<std::optional<std::string>>& row, std::optional<std::size_t> i) {
  if (!i || *i >= row.size() || !row[*i]) return "";
  return *row[*i];
}

}  // namespace

std::vector<routing::Account> accounts_of(const sql::ResultSet& result,
                                          std::vector<std::string>& skipped) {
  std::vector<routing::Account> accounts;
  const auto user = result.column_index("User");
  const auto host = result.column_index("Host");
  const auto plugin = result.column_index("plugin");
  const auto auth = result.column_index("authentication_string");
  const auto password = result.column_index("Password");
  for (const auto& row : result.rows) {
    routing::Account account;
    account.user = column(row, user);
    account.host = column(row, host);
    account.plugin = column(row, plugin);
    if (account.plugin.empty()) account.plugin = "mysql_native_password";  // pre-plugin rows
    if (account.plugin == "mysql_native_password") {
      std::string text = column(row, auth);
      if (text.empty()) text = column(row, password);
      auto hash = mysql_wire::parse_native_password_hash(text);
      if (!hash) {
        skipped.push_back("'" + account.user + "'@'" + account.host + "'");
        continue;
      }
      account.stored_hash = std::move(*hash);
    }
    accounts.push_back(std::move(account));
  }
  return accounts;
}

AccountReader::AccountReader(uv_loop_t* loop, Logger logger, AccountReaderOptions options,
                             std::shared_ptr<routing::AccountCache> cache)
    : loop_(loop), logger_(std::move(logger)), options_(std::move(options)), cache_(std::move(cache)) {}

AccountReader::~AccountReader() = default;

void AccountReader::start() {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  uv_async_init(loop_, &wake_, [](uv_async_t* async) {
    auto* self = static_cast<AccountReader*>(async->data);
    if (self->closing_) return;
    if (self->reading_) {
      self->again_ = true;
    } else {
      self->read(0);
    }
  });
  wake_.data = this;
  open_handles_ = 2;
  // Workers ask through the cache; the async coalesces their requests.
  cache_->set_refresher([this] { uv_async_send(&wake_); }, 1000);
  read(0);
}

void AccountReader::read(std::size_t node_index) {
  if (closing_) return;
  if (node_index >= options_.nodes.size()) {
    if (!last_failed_) {
      logger_.warning("[accounts] cannot read mysql.user from any storage node; terminated "
                      "sessions keep the accounts read before");
    }
    last_failed_ = true;
    finish_read();
    return;
  }
  reading_ = true;
  dispose_connection();
  sql::ConnectOptions options;
  options.host = options_.nodes[node_index].host;
  options.port = options_.nodes[node_index].port;
  options.user = options_.user;
  options.password = options_.password;
  options.connect_timeout_ms = options_.connect_timeout_ms;
  options.query_timeout_ms = options_.query_timeout_ms;
  options.max_result_bytes = 16 * 1024 * 1024;
  connection_ = std::make_unique<sql::SqlConnection>(loop_, logger_, options);
  connection_->connect([](const std::expected<sql::ServerInfo, sql::SqlError>&) {
    // A failed connect answers the query with the cause.
  });
  connection_->query(kAccountsQuery, [this, node_index](std::expected<sql::ResultSet, sql::SqlError> r) {
    on_result(node_index, std::move(r));
  });
}

void AccountReader::on_result(std::size_t node_index,
                              std::expected<sql::ResultSet, sql::SqlError> result) {
  if (closing_) return;
  if (!result) {
    if (result.error().kind == sql::SqlError::Kind::kCancelled) return;
    logger_.debug("[accounts] reading mysql.user on {}: {}",
                  options_.nodes[node_index].to_string(), result.error().to_string());
    if (result.error().kind == sql::SqlError::Kind::kServer && !last_failed_) {
      logger_.warning("[accounts] cluster_user cannot read mysql.user on {}: {} (GRANT SELECT ON "
                      "mysql.* to it for terminated sessions)",
                      options_.nodes[node_index].to_string(), result.error().to_string());
    }
    read(node_index + 1);
    return;
  }
  std::vector<std::string> skipped;
  auto accounts = accounts_of(*result, skipped);
  if (!skipped.empty()) {
    logger_.debug("[accounts] {} account(s) with an unreadable native hash left out", skipped.size());
  }
  logger_.debug("[accounts] read {} account(s) from {}", accounts.size(),
                options_.nodes[node_index].to_string());
  cache_->replace(std::move(accounts));
  last_failed_ = false;
  finish_read();
}

void AccountReader::finish_read() {
  reading_ = false;
  dispose_connection();
  if (closing_) return;
  if (again_) {
    again_ = false;
    read(0);
    return;
  }
  uv_timer_start(
      &timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<AccountReader*>(timer->data);
        if (!self->reading_) self->read(0);
      },
      options_.refresh_interval_ms, 0);
}

void AccountReader::dispose_connection() {
  if (!connection_) return;
  ++closing_connections_;
  sql::SqlConnection* raw = connection_.release();
  raw->close([this, raw] {
    delete raw;
    --closing_connections_;
    maybe_closed();
  });
}

void AccountReader::close(std::function<void()> on_closed) {
  on_closed_ = std::move(on_closed);
  closing_ = true;
  cache_->set_refresher(nullptr, 0);
  dispose_connection();
  auto closed = [](uv_handle_t* h) {
    auto* self = static_cast<AccountReader*>(h->data);
    --self->open_handles_;
    self->maybe_closed();
  };
  if (open_handles_ > 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), closed);
    uv_close(reinterpret_cast<uv_handle_t*>(&wake_), closed);
  } else {
    maybe_closed();
  }
}

void AccountReader::maybe_closed() {
  if (!closing_ || open_handles_ > 0 || closing_connections_ > 0 || !on_closed_) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  done();
}

}  // namespace grouter
