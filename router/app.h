// The grouter process: builds routes from the configuration, opens their listeners, runs the
// worker loops and, on the control loop, the HTTP server and signal handling. SIGTERM/SIGINT stop
// accepting, close every connection and return 0 from run(); SIGHUP reopens the log file (for
// logrotate). Under systemd (NOTIFY_SOCKET set) it reports READY=1 once every listener listens and
// STOPPING=1 when it begins to shut down.
#pragma once

#include <memory>
#include <vector>

#include <uv.h>

#include "base/logging.h"
#include "metadata/group_controller.h"
#include "router/account_reader.h"
#include "router/admin_service.h"
#include "router/config.h"
#include "router/group_event_streams.h"
#include "router/http/http_server.h"
#include "router/rest_api.h"
#include "routing/destination_prober.h"
#include "routing/worker.h"

namespace grouter {

class App {
 public:
  App(Config config, Logger logger);
  App(const App&) = delete;
  App& operator=(const App&) = delete;
  ~App();

  // Runs until SIGTERM/SIGINT. Returns the process exit status: 0 after a clean shutdown, 1 when
  // start-up failed (the reason is logged and printed to stderr) or the group's
  // exit_state_action=ABORT_SERVER stopped it.
  int run();

 private:
  bool start();
  bool start_group();
  bool start_admin();
  void start_account_reader();
  void shutdown();
  void close_signals();
  void reopen_log();
  void fail(const std::string& message);

  const Config config_;
  Logger logger_;
  uv_loop_t loop_{};
  uv_signal_t sigterm_{};
  uv_signal_t sigint_{};
  uv_signal_t sighup_{};
  std::vector<std::shared_ptr<routing::Route>> routes_;
  std::vector<std::unique_ptr<routing::Worker>> workers_;
  std::unique_ptr<routing::DestinationProber> prober_;
  std::unique_ptr<RestApi> rest_api_;
  std::unique_ptr<http::HttpServer> http_server_;
  std::unique_ptr<GroupEventStreams> event_streams_;  // GET /api/v1/group/events
  std::unique_ptr<AdminService> admin_;  // present when [admin] is
  std::unique_ptr<metadata::GroupController> group_;
  std::unique_ptr<AccountReader> accounts_;  // terminated routes over a group: mysql.user
  uint64_t group_generation_ = 0;
  bool stopping_ = false;
  int exit_status_ = 0;  // 1 after exit_state_action=ABORT_SERVER
};

}  // namespace grouter
