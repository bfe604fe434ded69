// A route: its configuration and the state its connections share across worker threads —
// destination planning, blocked hosts, counters, and the registry of live connections that the
// REST API lists. Thread-safe: counters are atomics, the registry and blocked hosts have mutexes.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "routing/account_cache.h"
#include "routing/blocked_hosts.h"
#include "routing/consistency.h"
#include "routing/destination.h"
#include "routing/destination_set.h"
#include "routing/session_config.h"
#include "routing/strategy.h"
#include "routing/tls.h"

namespace grouter::routing {

struct RouteConfig {
  std::string name;
  std::string bind_address = "127.0.0.1";
  std::uint16_t bind_port = 0;
  std::vector<Destination> destinations;
  std::string destinations_text;  // as configured, for the REST config endpoint
  RoutingStrategy strategy = RoutingStrategy::kFirstAvailable;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds client_connect_timeout{9000};
  std::uint32_t max_connections = 0;  // 0: no per-route limit
  std::uint32_t max_connect_errors = 100;
  // Set for a group-following route (destinations = metadata-cache://GROUP/?role=...): its
  // destinations come from published DestinationSets, and `destinations` stays empty.
  std::optional<GroupTarget> group;
  // A group route with no member to connect to (no primary during a failover, say) holds a new
  // client this long for a publication that gives it one, then refuses it with 1429.
  std::chrono::milliseconds destination_wait_timeout{10000};
  // Relayed unchanged (client_ssl_mode = PASSTHROUGH, the default without client_ssl_cert) or
  // terminated by grouter, with MySQL Router's TLS options.
  SessionConfig session;
  // MySQL Router's access_mode = auto: one port, reads to secondaries, the rest to the primary
  // (routing/rw_splitter.h). Needs a terminated route over ?role=PRIMARY_AND_SECONDARY.
  bool access_mode_auto = false;
  bool wait_for_my_writes = true;
  std::chrono::seconds wait_for_my_writes_timeout{2};
  // The consistency level of the route's sessions; unset: the group's.
  std::optional<Consistency> consistency;
};

// The destinations one new connection will try, in order.
struct ConnectPlan {
  std::shared_ptr<const std::vector<Destination>> targets;
  std::vector<std::size_t> order;  // indexes into *targets
};

// Microseconds since the Unix epoch; 0 means "not yet".
using EpochMicros = std::int64_t;
EpochMicros now_epoch_micros();

// What the REST API shows of one client connection. Written by the connection's worker thread,
// read by the HTTP thread: every mutable field is atomic.
struct ConnectionStats {
  std::string source_address;
  EpochMicros time_started = 0;
  std::atomic<std::uint64_t> bytes_from_server{0};
  std::atomic<std::uint64_t> bytes_to_server{0};
  std::atomic<EpochMicros> time_connected_to_server{0};
  std::atomic<EpochMicros> time_last_sent_to_server{0};
  std::atomic<EpochMicros> time_last_received_from_server{0};
  // Set once, before time_connected_to_server is published.
  std::string destination_address;
};

// How grouter logs in to a storage node as cluster_user (its own waits for AFTER consistency):
// the user and SHA1 of the password (see protocol/mysql_wire/scramble.h).
struct ClusterLogin {
  std::string user;
  std::vector<std::uint8_t> proof;
};

struct RouteCounters {
  std::atomic<std::uint64_t> active_connections{0};
  std::atomic<std::uint64_t> total_connections{0};
  std::atomic<std::uint64_t> bytes_from_server{0};
  std::atomic<std::uint64_t> bytes_to_server{0};
  std::atomic<std::uint64_t> client_connect_errors{0};     // failed/abandoned client handshakes
  std::atomic<std::uint64_t> destination_connect_errors{0};  // failed connects to a destination
  std::atomic<std::uint64_t> no_destination_errors{0};       // clients sent 1429 (no destination)
  std::atomic<std::uint64_t> max_connections_refused{0};   // clients sent 1040
  std::atomic<std::uint64_t> blocked_refused{0};           // clients sent 1129
};

class Route {
 public:
  // TLS: the contexts build_tls_contexts() made from config.session (null when it needs none).
  explicit Route(RouteConfig config, std::shared_ptr<const TlsContexts> tls = nullptr);
  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;

  const RouteConfig& config() const { return config_; }
  const std::string& name() const { return config_.name; }
  const std::shared_ptr<const TlsContexts>& tls() const { return tls_; }
  // Terminated routes over a group: the accounts read from its nodes. Set before the workers
  // start; null otherwise.
  void set_accounts(std::shared_ptr<AccountCache> accounts) { accounts_ = std::move(accounts); }
  const std::shared_ptr<AccountCache>& accounts() const { return accounts_; }
  // Terminated routes over a group: cluster_user's login. Set before the workers start.
  void set_cluster_login(ClusterLogin login) { cluster_login_ = std::move(login); }
  const std::optional<ClusterLogin>& cluster_login() const { return cluster_login_; }
  DestinationPlanner& planner() { return planner_; }
  BlockedHosts& blocked_hosts() { return blocked_hosts_; }
  const BlockedHosts& blocked_hosts() const { return blocked_hosts_; }
  RouteCounters& counters() { return counters_; }
  const RouteCounters& counters() const { return counters_; }

  // Admission: false when max_connections is reached (the caller then refuses with 1040).
  bool try_admit();
  void release();

  // Registry of live connections for the REST API.
  std::uint64_t register_connection(std::shared_ptr<ConnectionStats> stats);
  void unregister_connection(std::uint64_t id);
  std::vector<std::shared_ptr<const ConnectionStats>> connections() const;

  // What a new connection should try now. Empty `order` on a group route: nobody to connect to
  // yet (the connection may wait for publish()).
  ConnectPlan plan_connection();
  // The connection could (not) reach (*plan.targets)[index]. Static routes quarantine failures and
  // tell the planner (next-available); group routes leave health to the group's view.
  void report_unreachable(const ConnectPlan& plan, std::size_t index);
  void report_reachable(const ConnectPlan& plan, std::size_t index);

  // Group routes: whether a connection to DESTINATION may stay open under the newest
  // publication. PRIMARY: it is the primary; SECONDARY and PRIMARY_AND_SECONDARY: it is an ONLINE
  // member (a secondary promoted to primary keeps its read-only sessions, as in MySQL Router);
  // access_mode = auto (the session's primary leg): it is the primary. Static routes: always.
  bool allows(const Destination& destination) const;
  // access_mode = auto: the secondary a session's reads should use next (round robin over the
  // ONLINE secondaries), or nullopt when the group has none.
  std::optional<Destination> pick_secondary();

  // Group routes: installs a new snapshot and wakes every worker (each then re-checks its
  // connections of this route and its waiting clients). Thread-safe.
  void publish(std::shared_ptr<const DestinationSet> destinations);
  std::shared_ptr<const DestinationSet> published() const { return published_.load(); }
  // The destinations a REST client sees: static ones, or those the role allows now.
  std::vector<Destination> current_destinations() const;

  // Workers register a wake-up (an uv_async_send) before their loop runs and remove it before
  // it stops. Returns an id for remove_waker().
  std::uint64_t add_waker(std::function<void()> wake);
  void remove_waker(std::uint64_t id);

  // Quarantine (static routes): destinations whose last connect failed. New connections skip them while any
  // destination is outside quarantine; the DestinationProber lets one out when it answers again.
  void quarantine(std::size_t index);
  void release_from_quarantine(std::size_t index);
  bool is_quarantined(std::size_t index) const;
  // Destinations to plan a new connection over: those not quarantined, or all of them when every
  // one is (a last try costs at most connect_timeout each, and the prober may lag).
  std::vector<std::size_t> usable_destinations() const;

  // Alive: the route listens and at least one destination is outside quarantine (static), or
  // the newest publication has a member for its role (group).
  bool is_alive() const;
  void set_listening(bool on) { listening_.store(on); }

 private:
  const RouteConfig config_;
  const std::shared_ptr<const TlsContexts> tls_;
  std::shared_ptr<AccountCache> accounts_;
  std::optional<ClusterLogin> cluster_login_;
  DestinationPlanner planner_;
  BlockedHosts blocked_hosts_;
  RouteCounters counters_;
  std::atomic<bool> listening_{false};
  std::unique_ptr<std::atomic<bool>[]> quarantined_;  // one flag per destination
  std::atomic<std::size_t> quarantined_count_{0};
  std::atomic<std::uint64_t> secondary_turn_{0};
  const std::shared_ptr<const std::vector<Destination>> static_targets_;
  std::atomic<std::shared_ptr<const DestinationSet>> published_;

  mutable std::mutex wakers_mutex_;
  std::uint64_t next_waker_id_ = 1;                                         // guarded
  std::vector<std::pair<std::uint64_t, std::function<void()>>> wakers_;     // guarded

  mutable std::mutex registry_mutex_;
  std::uint64_t next_connection_id_ = 1;  // guarded by registry_mutex_
  std::unordered_map<std::uint64_t, std::shared_ptr<ConnectionStats>> registry_;  // guarded
};

}  // namespace grouter::routing
