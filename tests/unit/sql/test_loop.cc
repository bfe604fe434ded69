// Test helpers for the SQL client.
#include "tests/unit/sql/test_loop.h"

namespace grouter::metadata::sql::testing {

TestLoop::TestLoop() {
  uv_loop_init(&loop_);
  uv_timer_init(&loop_, &watchdog_);
  watchdog_.data = this;
}

bool TestLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  expired_ = false;
  uv_timer_start(
      &watchdog_, [](uv_timer_t* timer) { static_cast<TestLoop*>(timer->data)->expired_ = true; },
      static_cast<std::uint64_t>(limit.count()), 0);
  while (!done() && !expired_) uv_run(&loop_, UV_RUN_ONCE);
  uv_timer_stop(&watchdog_);
  return done();
}

int TestLoop::close() {
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog_), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);
  return uv_loop_close(&loop_);
}

double now_ms() {
  return static_cast<double>(uv_hrtime()) / 1e6;
}

TestConnection::TestConnection(TestLoop& loop, ConnectOptions options)
    : loop_(loop),
      connection_(std::make_unique<SqlConnection>(loop.get(), Logger{}, std::move(options))) {}

std::expected<ServerInfo, SqlError> TestConnection::connect() {
  std::optional<std::expected<ServerInfo, SqlError>> result;
  connection_->connect([&](std::expected<ServerInfo, SqlError> r) { result = std::move(r); });
  if (!loop_.run_until([&] { return result.has_value(); })) {
    return std::unexpected(make_error(SqlError::Kind::kCancelled, "test watchdog expired"));
  }
  return std::move(*result);
}

std::expected<ResultSet, SqlError> TestConnection::query(const std::string& sql) {
  std::optional<std::expected<ResultSet, SqlError>> result;
  connection_->query(sql, [&](std::expected<ResultSet, SqlError> r) { result = std::move(r); });
  if (!loop_.run_until([&] { return result.has_value(); })) {
    return std::unexpected(make_error(SqlError::Kind::kCancelled, "test watchdog expired"));
  }
  return std::move(*result);
}

bool TestConnection::close() {
  if (closed_) return true;
  bool done = false;
  connection_->close([&] { done = true; });
  closed_ = true;
  if (!loop_.run_until([&] { return done; })) {
    (void)connection_.release();  // still has live handles: leak it rather than abort
    return false;
  }
  return true;
}

}  // namespace grouter::metadata::sql::testing
