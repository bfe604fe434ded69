// Reads the storage nodes' accounts (mysql.user) with cluster_user into the routes' AccountCache:
// at start, every refresh_interval, and when a session asks (an account it did not know, a
// reply that did not match a password changed since). One read at a time; requests during a read
// coalesce into one more. The nodes are tried in order, the first that answers is read (grants
// replicate, so every node holds the same accounts).
//
// Threads: runs on the main loop; request() is safe from any thread (uv_async). Lifetime: close()
// and wait for its callback before destroying. Never logs a hash.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "metadata/sql/sql_connection.h"
#include "routing/account_cache.h"
#include "routing/destination.h"

namespace grouter {

struct AccountReaderOptions {
  std::vector<routing::Destination> nodes;
  std::string user;
  std::string password;
  std::uint32_t refresh_interval_ms = 60'000;
  std::uint32_t connect_timeout_ms = 2000;
  std::uint32_t query_timeout_ms = 5000;
};

class AccountReader {
 public:
  AccountReader(uv_loop_t* loop, Logger logger, AccountReaderOptions options,
                std::shared_ptr<routing::AccountCache> cache);
  AccountReader(const AccountReader&) = delete;
  AccountReader& operator=(const AccountReader&) = delete;
  ~AccountReader();

  void start();
  void close(std::function<void()> on_closed);

 private:
  void read(std::size_t node_index);
  void on_result(std::size_t node_index, std::expected<metadata::sql::ResultSet, metadata::sql::SqlError> result);
  void finish_read();
  void dispose_connection();
  void maybe_closed();

  uv_loop_t* const loop_;
  const Logger logger_;
  const AccountReaderOptions options_;
  const std::shared_ptr<routing::AccountCache> cache_;
  uv_timer_t timer_{};
  uv_async_t wake_{};
  int open_handles_ = 0;
  bool reading_ = false;
  bool again_ = false;
  bool closing_ = false;
  bool last_failed_ = false;
  std::unique_ptr<metadata::sql::SqlConnection> connection_;
  int closing_connections_ = 0;
  std::function<void()> on_closed_;
};

// The accounts in a result of SELECT User, Host, plugin, authentication_string, Password FROM
// mysql.user; rows whose native hash cannot be read are left out (named in SKIPPED).
std::vector<routing::Account> accounts_of(const metadata::sql::ResultSet& result,
                                          std::vector<std::string>& skipped);

}  // namespace grouter
