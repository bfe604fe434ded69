// Timing and answers of the controller's operations on modelled nodes (node_ops.h).
#include "tests/sim/node_ops.h"

#include <utility>

namespace grouter::sim {
namespace {

OpResult status(OpStatus s, std::string error = {}) {
  OpResult r;
  r.status = s;
  r.error = std::move(error);
  return r;
}

}  // namespace

void NodeOps::call(size_t i, int64_t timeout_ms, std::function<OpResult()> effect, OpDone done) {
  const int64_t deadline_ms = scheduler_.now_ms() + timeout_ms;
  scheduler_.after(
      kHopMs, [this, i, deadline_ms, effect = std::move(effect), done = std::move(done)]() mutable {
        const NodeModel& n = cluster_.node(i);
        if (n.process == Process::kCrashed && cluster_.link_up(kGrouter, i)) {
          scheduler_.after(kHopMs, [done] { done(status(OpStatus::kRefused, "refused")); });
          return;
        }
        if (!cluster_.reachable(i)) {
          scheduler_.at(deadline_ms, [done] { done(status(OpStatus::kNoAnswer, "no answer")); });
          return;
        }
        OpResult result = effect();
        scheduler_.after(kHopMs, [this, i, deadline_ms, result = std::move(result), done] {
          if (cluster_.reachable(i)) {
            done(result);
          } else {
            const int64_t at_ms = std::max(deadline_ms, scheduler_.now_ms());
            scheduler_.at(at_ms, [done] { done(status(OpStatus::kNoAnswer, "no answer")); });
          }
        });
      });
}

void NodeOps::poll(size_t i, int64_t deadline_ms, std::function<bool()> reached, OpDone done) {
  if (cluster_.node(i).process == Process::kCrashed && cluster_.link_up(kGrouter, i)) {
    return done(status(OpStatus::kNoAnswer, "connection lost"));  // reset by the peer's kernel
  }
  if (!cluster_.reachable(i)) {
    // A hung node or a cut link: the client's read timeout decides, unless it answers again.
    scheduler_.after(kOpTimeoutMs, [this, i, deadline_ms, reached = std::move(reached), done] {
      if (!cluster_.reachable(i)) return done(status(OpStatus::kNoAnswer, "no answer"));
      poll(i, deadline_ms, reached, done);
    });
    return;
  }
  if (reached()) {
    scheduler_.after(kHopMs, [done] { done(status(OpStatus::kOk)); });
    return;
  }
  if (scheduler_.now_ms() >= deadline_ms) {
    done(status(OpStatus::kError, "timeout"));
    return;
  }
  scheduler_.after(kPollMs, [this, i, deadline_ms, reached = std::move(reached), done] {
    poll(i, deadline_ms, reached, done);
  });
}

void NodeOps::probe(size_t i, OpDone done) {
  call(
      i, kProbeTimeoutMs,
      [this, i] {
        OpResult r;
        r.facts = cluster_.facts(i);
        return r;
      },
      std::move(done));
}

void NodeOps::stop_receiver(size_t i, OpDone done) {
  call(
      i, kOpTimeoutMs,
      [this, i] {
        cluster_.stop_receiver(i);
        return OpResult{};
      },
      std::move(done));
}

void NodeOps::read_positions(size_t i, OpDone done) {
  read(i, false, std::move(done));
}

void NodeOps::read_binlog_state(size_t i, OpDone done) {
  read(i, true, std::move(done));
}

void NodeOps::read(size_t i, bool with_state, OpDone done) {
  call(
      i, kOpTimeoutMs,
      [this, i, with_state] {
        OpResult r;
        r.read = metadata::FailoverRead{cluster_.node(i).io_pos, cluster_.node(i).executed()};
        r.facts = cluster_.facts(i);
        if (with_state) r.binlog_state = cluster_.node(i).binlog_state();
        return r;
      },
      std::move(done));
}

void NodeOps::apply_kept_relay_log(size_t i, int64_t timeout_ms, OpDone done) {
  const int64_t deadline_ms = scheduler_.now_ms() + timeout_ms;
  call(
      i, kOpTimeoutMs,
      [this, i] {
        cluster_.apply_kept_relay_log(i);
        return OpResult{};
      },
      [this, i, deadline_ms, done](const OpResult& r) {
        if (!r.ok()) return done(r);
        poll(
            i, deadline_ms, [this, i] { return cluster_.node(i).relay.empty(); }, done);
      });
}

void NodeOps::wait_applied(size_t i, const GtidPosition& target, int64_t timeout_ms, OpDone done) {
  const int64_t deadline_ms = scheduler_.now_ms() + timeout_ms;
  poll(
      i, deadline_ms,
      [this, i, target] { return metadata::covers(cluster_.node(i).executed(), target); },
      std::move(done));
}

void NodeOps::change_master(size_t i, size_t source, OpDone done) {
  call(
      i, kOpTimeoutMs,
      [this, i, source] {
        cluster_.change_master(i, source);
        return OpResult{};
      },
      std::move(done));
}

void NodeOps::start_replica(size_t i, OpDone done) {
  call(
      i, kOpTimeoutMs,
      [this, i] {
        if (!cluster_.node(i).source) return status(OpStatus::kError, "no source configured");
        cluster_.start_replica(i);
        return OpResult{};
      },
      std::move(done));
}

void NodeOps::promote(size_t i, OpDone done) {
  call(
      i, kOpTimeoutMs,
      [this, i] {
        cluster_.promote(i);
        return OpResult{};
      },
      std::move(done));
}

void NodeOps::set_read_only(size_t i, bool on, OpDone done) {
  call(
      i, kOpTimeoutMs,
      [this, i, on] {
        cluster_.set_read_only(i, on);
        return OpResult{};
      },
      std::move(done));
}

void NodeOps::fence(size_t i, OpDone done) {
  call(
      i, kOpTimeoutMs,
      [this, i] {
        cluster_.fence(i);
        return OpResult{};
      },
      std::move(done));
}

}  // namespace grouter::sim
