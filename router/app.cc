// Process lifecycle.
#include "router/app.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include <nlohmann/json.hpp>

#include "protocol/mysql_wire/scramble.h"
#include "router/group_routing.h"
#include "router/systemd_notify.h"
#include "router/version.h"
#include "routing/listen_socket.h"

namespace grouter {
namespace {

void raise_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "";
  return name;
}

}  // namespace

App::App(Config config, Logger logger) : config_(std::move(config)), logger_(std::move(logger)) {
  uv_loop_init(&loop_);
}

App::~App() { uv_loop_close(&loop_); }

void App::fail(const std::string& message) {
  // One line on stderr; the log gets it too when it is a file.
  if (!config_.logging_folder.empty()) logger_.error("{}", message);
  std::fprintf(stderr, "grouter: %s\n", message.c_str());
}

bool App::start() {
  raise_file_limit();
  signal(SIGPIPE, SIG_IGN);
  if (!config_.runtime_folder.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(config_.runtime_folder, ec);
    if (ec) {
      fail("cannot create runtime_folder '" + config_.runtime_folder + "': " + ec.message());
      return false;
    }
  }

  const unsigned threads =
      config_.io_threads != 0 ? config_.io_threads : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::vector<routing::RouteListener>> per_worker(threads);
  for (const auto& route_config : config_.routes) {
    auto tls = routing::build_tls_contexts(route_config.session);
    if (!tls) {
      for (auto& listeners : per_worker) {
        for (auto& l : listeners) close(l.fd);
      }
      fail("[routing:" + route_config.name + "] " + tls.error());
      return false;
    }
    auto route = std::make_shared<routing::Route>(route_config, std::move(*tls));
    auto fds = routing::open_listen_sockets(route_config.bind_address, route_config.bind_port, threads);
    if (!fds) {
      for (auto& listeners : per_worker) {
        for (auto& l : listeners) close(l.fd);
      }
      fail("[routing:" + route_config.name + "] cannot listen on " + fds.error());
      return false;
    }
    for (unsigned i = 0; i < threads; ++i) per_worker[i].push_back({route, (*fds)[i]});
    routes_.push_back(std::move(route));
  }

  if (config_.group_replication && !start_group()) {
    for (auto& listeners : per_worker) {
      for (auto& l : listeners) close(l.fd);
    }
    return false;
  }

  ProcessInfo process{static_cast<long>(getpid()), "grouter (GPL)", GROUTER_VERSION, host_name(),
                      routing::now_epoch_micros()};
  std::string cache_name;  // MySQL Router's metadata-cache name: the GROUP of the group routes
  for (const auto& route : routes_) {
    if (route->config().group && cache_name.empty()) cache_name = route->config().group->group;
  }
  if (group_ && cache_name.empty()) cache_name = "default";
  rest_api_ = std::make_unique<RestApi>(process, routes_, group_.get(), cache_name);
  if (config_.http_server) {
    event_streams_ = std::make_unique<GroupEventStreams>(
        &loop_, logger_, group_.get(), [this] { return rest_api_->status_json().dump(); },
        GroupEventStreams::Options{});
    rest_api_->set_event_streams(event_streams_.get());
    http::Limits limits;
    limits.idle_timeout_ms = 120'000;  // a switchover answers when it is done
    http_server_ = std::make_unique<http::HttpServer>(
        &loop_, logger_,
        http::AsyncHandler([this](const http::Request& r, http::Responder respond) {
          rest_api_->handle(r, std::move(respond));
        }),
        limits);
    if (auto ok = http_server_->listen(config_.http_server->bind_address, config_.http_server->port);
        !ok) {
      fail("[http_server] cannot listen on " + config_.http_server->bind_address + ":" +
           std::to_string(config_.http_server->port) + ": " + ok.error().message());
      for (auto& listeners : per_worker) {
        for (auto& l : listeners) close(l.fd);
      }
      return false;
    }
  }

  if (config_.admin && !start_admin()) {
    for (auto& listeners : per_worker) {
      for (auto& l : listeners) close(l.fd);
    }
    return false;
  }

  start_account_reader();  // before the workers: they read the routes' accounts without a lock
  for (auto& listeners : per_worker) {
    auto worker = std::make_unique<routing::Worker>(logger_, std::move(listeners));
    if (auto ok = worker->start(); !ok) {
      fail(ok.error());
      return false;
    }
    workers_.push_back(std::move(worker));
  }
  prober_ = std::make_unique<routing::DestinationProber>(&loop_, logger_, routes_);
  prober_->start();
  if (group_) group_->start();
  for (const auto& route : routes_) {
    route->set_listening(true);
    logger_.info("[routing:{}] listening on {}:{}, {} destination(s), routing_strategy = {}",
                 route->name(), route->config().bind_address, route->config().bind_port,
                 route->config().destinations.size(), routing::to_string(route->config().strategy));
  }
  if (http_server_) {
    logger_.info("[http_server] listening on {}:{}", config_.http_server->bind_address,
                 http_server_->port());
  }
  if (admin_) {
    logger_.info("[admin] listening on {}:{} (GR's SQL, account '{}')", config_.admin->bind_address,
                 admin_->port(), config_.admin->user);
  }
  logger_.info("grouter {} started with {} worker thread(s), pid {}", GROUTER_VERSION, threads,
               getpid());
  notify_ready();  // every listening socket is open and accepting (into its backlog at least)
  return true;
}

void App::start_account_reader() {
  // Terminated routes learn the accounts' hashes from the group's nodes, read with cluster_user:
  // enough to check a client's reply and to log it in to further nodes. Without a group a
  // terminated route logs each client in to its one node with the node's own nonce.
  if (!config_.group_replication) return;
  auto cache = std::make_shared<routing::AccountCache>();
  bool any = false;
  routing::ClusterLogin cluster;
  cluster.user = config_.group_replication->cluster_user;
  cluster.proof =
      mysql_wire::native_password_stage1(config_.group_replication->cluster_password).value_or(
          std::vector<std::uint8_t>{});
  for (const auto& route : routes_) {
    if (!route->config().session.terminated()) continue;
    route->set_accounts(cache);
    route->set_cluster_login(cluster);
    any = true;
  }
  if (!any) return;
  AccountReaderOptions options;
  for (const auto& node : config_.storage_nodes) options.nodes.push_back(node.address);
  options.user = config_.group_replication->cluster_user;
  options.password = config_.group_replication->cluster_password;
  accounts_ = std::make_unique<AccountReader>(&loop_, logger_, std::move(options), cache);
  accounts_->start();
}

bool App::start_admin() {
  if (!group_) {
    fail("[admin] needs the group: [group_replication] did not start");
    return false;
  }
  auto service = AdminService::create(&loop_, logger_, config_, *group_);
  if (!service) {
    fail(service.error());
    return false;
  }
  admin_ = std::move(*service);
  if (auto ok = admin_->listen(*config_.admin); !ok) {
    fail(ok.error());
    return false;
  }
  return true;
}

bool App::start_group() {
  if (config_.runtime_folder.empty()) {
    fail("[group_replication] needs [DEFAULT] runtime_folder: the group's state is kept there");
    return false;
  }
  auto publish = [this](std::shared_ptr<const metadata::GroupState> state,
                        metadata::RouteAccess access) {
    auto set = std::make_shared<const routing::DestinationSet>(
        destinations_of(*state, access, ++group_generation_,
                        routing::parse_consistency(to_string(config_.group_replication->consistency))
                            .value_or(routing::Consistency::kBeforeOnPrimaryFailover)));
    for (const auto& route : routes_) {
      if (route->config().group) route->publish(set);
    }
  };
  auto group = metadata::GroupController::open(&loop_, logger_, controller_config(config_), publish);
  if (!group) {
    fail(group.error());
    return false;
  }
  group_ = std::move(*group);
  group_->set_on_abort([this] {
    exit_status_ = 1;
    shutdown();
  });
  return true;
}

void App::shutdown() {
  if (stopping_) return;
  stopping_ = true;
  notify_stopping();
  logger_.info("shutting down: closing listeners and connections");
  for (const auto& route : routes_) route->set_listening(false);
  for (auto& worker : workers_) worker->stop();
  workers_.clear();
  close_signals();
  if (event_streams_) event_streams_->close([] {});
  if (http_server_) http_server_->close([] {});
  if (admin_) admin_->close([] {});
  if (prober_) prober_->close([] {});
  if (accounts_) accounts_->close([] {});
  if (group_) group_->close([] {});
}

void App::close_signals() {
  for (uv_signal_t* handle : {&sigterm_, &sigint_, &sighup_}) {
    uv_close(reinterpret_cast<uv_handle_t*>(handle), nullptr);
  }
}

void App::reopen_log() {
  if (auto reopened = logger_.reopen(); !reopened) {
    logger_.error("SIGHUP: cannot reopen the log file, still writing to the old one: {}",
                  reopened.error());
    return;
  }
  if (!config_.logging_folder.empty()) logger_.info("SIGHUP: log file reopened");
}

int App::run() {
  for (uv_signal_t* handle : {&sigterm_, &sigint_, &sighup_}) {
    uv_signal_init(&loop_, handle);
    handle->data = this;
  }
  auto on_stop_signal = [](uv_signal_t* handle, int signum) {
    auto* app = static_cast<App*>(handle->data);
    app->logger_.info("received signal {}", signum);
    app->shutdown();
  };
  uv_signal_start(&sigterm_, on_stop_signal, SIGTERM);
  uv_signal_start(&sigint_, on_stop_signal, SIGINT);
  uv_signal_start(
      &sighup_, [](uv_signal_t* handle, int) { static_cast<App*>(handle->data)->reopen_log(); },
      SIGHUP);

  const bool started = start();
  if (!started) {
    stopping_ = true;  // nothing to announce: close what start() opened
    close_signals();
    workers_.clear();
    if (event_streams_) event_streams_->close([] {});
    if (http_server_) http_server_->close([] {});
    if (admin_) admin_->close([] {});
    if (accounts_) accounts_->close([] {});
    if (group_) group_->close([] {});
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (started) logger_.info("grouter stopped");
  logger_.flush();
  return started ? exit_status_ : 1;
}

}  // namespace grouter
