// The simulated client (writer.h).
#include "tests/sim/writer.h"

namespace grouter::sim {

void Writer::schedule(int64_t delay_ms) {
  if (stopped_) return;
  scheduler_.after(delay_ms, [this] { send(); });
}

void Writer::send() {
  if (stopped_) return;
  const std::optional<size_t> node = route_();
  if (!node || !cluster_.link_up(kGrouter, *node)) {
    ++rejected_;  // no route, or grouter cannot reach the node: nothing was sent
    return schedule(interval_ms_);
  }
  if (cluster_.node(*node).process == Process::kCrashed) {
    ++uncertain_;  // the session to the primary broke: the client cannot know
    return schedule(interval_ms_);
  }
  const uint64_t id = next_id_++;
  in_flight_ = id;
  const size_t i = *node;
  const uint64_t epoch = epoch_();
  scheduler_.after(kStatementTimeoutMs, [this, id, i] {
    if (in_flight_ == id) finish(id, i, CommitOutcome::kUncertain, Gtid{});
  });
  if (cluster_.node(i).process == Process::kHung) return;  // nothing answers: the timeout decides
  cluster_.client_commit(i, id, [this, id, i, epoch](CommitOutcome outcome, Gtid gtid) {
    if (in_flight_ != id) return;  // given up already
    // The answer travels back through grouter: the same grouter must still run and reach the node.
    if (outcome == CommitOutcome::kAcked && (epoch_() != epoch || !cluster_.link_up(kGrouter, i))) {
      outcome = CommitOutcome::kUncertain;
    }
    finish(id, i, outcome, gtid);
  });
}

void Writer::finish(uint64_t id, size_t node, CommitOutcome outcome, Gtid gtid) {
  in_flight_ = 0;
  if (outcome == CommitOutcome::kAcked) {
    acked_.push_back(AckedWrite{id, gtid, node, scheduler_.now_ms()});
  } else if (outcome == CommitOutcome::kRejected) {
    ++rejected_;
  } else {
    ++uncertain_;
  }
  schedule(interval_ms_);
}

}  // namespace grouter::sim
