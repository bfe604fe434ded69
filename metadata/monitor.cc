// Probing storage nodes on a timer.
#include "metadata/monitor.h"

namespace grouter::metadata {

int64_t monotonic_ms() { return static_cast<int64_t>(uv_hrtime() / 1000000); }

Monitor::Monitor(uv_loop_t* loop, Logger logger, MonitorOptions options,
                 std::vector<MonitorTarget> targets, Observer observer, RoundHook round_hook)
    : loop_(loop),
      logger_(std::move(logger)),
      options_(std::move(options)),
      observer_(std::move(observer)),
      round_hook_(std::move(round_hook)) {
  for (auto& target : targets) {
    auto node = std::make_unique<Node>();
    node->target = std::move(target);
    nodes_.push_back(std::move(node));
  }
}

Monitor::~Monitor() = default;

void Monitor::start() {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  timer_open_ = true;
  const auto interval = static_cast<uint64_t>(options_.interval_ms);
  uv_timer_start(
      &timer_, [](uv_timer_t* t) { static_cast<Monitor*>(t->data)->round(); }, 0, interval);
}

void Monitor::round() {
  for (auto& node : nodes_) {
    if (!node->in_flight) probe(*node);
  }
  if (round_hook_) round_hook_();
}

void Monitor::probe_now(const std::string& name) {
  if (closing_) return;
  for (auto& node : nodes_) {
    if (node->target.name == name && !node->in_flight) probe(*node);
  }
}

void Monitor::dispose(std::unique_ptr<sql::SqlConnection> connection) {
  if (!connection) return;
  ++closing_connections_;
  sql::SqlConnection* raw = connection.release();
  raw->close([this, raw] {
    delete raw;
    --closing_connections_;
    maybe_closed();
  });
}

void Monitor::probe(Node& node) {
  if (node.broken) {
    dispose(std::move(node.connection));
    node.broken = false;
  }
  node.in_flight = true;
  const int64_t started = monotonic_ms();
  if (!node.connection) {
    sql::ConnectOptions options;
    options.host = node.target.host;
    options.port = node.target.port;
    options.user = options_.user;
    options.password = options_.password;
    options.connect_timeout_ms = options_.connect_timeout_ms;
    options.query_timeout_ms = options_.query_timeout_ms;
    options.max_queued_queries = 8;
    options.max_result_bytes = 1024 * 1024;
    node.connection = std::make_unique<sql::SqlConnection>(loop_, logger_, options);
    node.connection->connect([](const std::expected<sql::ServerInfo, sql::SqlError>&) {
      // A failed connect answers the queued probe statements with the cause.
    });
  }
  // The statements are queued at once; their answers arrive in order.
  auto results = std::make_shared<std::vector<sql::ResultSet>>();
  Node* target = &node;
  const uint64_t seq = ++node.probe_seq;
  for (size_t i = 0; i < kProbeStatements.size(); ++i) {
    const bool last = i + 1 == kProbeStatements.size();
    auto on_result = [this, target, results, started, last,
                      seq](std::expected<sql::ResultSet, sql::SqlError> r) {
      // Ignore the rest of a probe whose earlier statement already ended it.
      if (!target->in_flight || target->probe_seq != seq) return;
      ProbeResult result;
      result.started_ms = started;
      if (!r) {
        const auto& e = r.error();
        if (e.kind == sql::SqlError::Kind::kCancelled) {
          target->in_flight = false;
          return;
        }
        if (e.kind == sql::SqlError::Kind::kServer) {
          result.outcome = ProbeOutcome::kOk;  // alive, but the probe cannot run
        } else {
          result.outcome = e.kind == sql::SqlError::Kind::kRefused ? ProbeOutcome::kRefused
                                                                  : ProbeOutcome::kFailed;
          target->broken = true;
        }
        result.error = e.to_string();
        result.connection_lost = e.kind == sql::SqlError::Kind::kConnectionLost;
        finish(*target, std::move(result));
        return;
      }
      results->push_back(std::move(*r));
      if (!last) return;
      result.outcome = ProbeOutcome::kOk;
      auto facts = parse_probe((*results)[0], (*results)[1], (*results)[2]);
      if (facts) {
        facts->global_privileges = parse_global_privileges((*results)[3]);
        result.facts = std::move(*facts);
      } else {
        result.error = facts.error();
      }
      finish(*target, std::move(result));
    };
    node.connection->query(std::string(kProbeStatements[i]), std::move(on_result));
  }
}

void Monitor::finish(Node& node, ProbeResult result) {
  node.in_flight = false;
  if (closing_) return;
  result.finished_ms = monotonic_ms();
  if (result.outcome == ProbeOutcome::kOk && !result.facts) node.broken = true;
  observer_(node.target.name, result);
}

void Monitor::close(std::function<void()> on_closed) {
  closing_ = true;
  on_closed_ = std::move(on_closed);
  for (auto& node : nodes_) dispose(std::move(node->connection));
  if (timer_open_) {
    timer_open_ = false;
    ++closing_connections_;
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* h) {
      auto* self = static_cast<Monitor*>(h->data);
      --self->closing_connections_;
      self->maybe_closed();
    });
  }
  maybe_closed();
}

void Monitor::maybe_closed() {
  if (!closing_ || closing_connections_ != 0 || !on_closed_) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  done();
}

}  // namespace grouter::metadata
