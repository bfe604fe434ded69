// The event queue (scheduler.h): a binary heap ordered by (time, insertion order).
#include "tests/sim/scheduler.h"

#include <algorithm>
#include <utility>

namespace grouter::sim {

void Scheduler::at(int64_t time_ms, Action action) {
  assert(time_ms >= now_ms_);
  assert(heap_.size() < kMaxPending);
  heap_.push_back(Event{time_ms, next_seq_++, std::move(action)});
  std::push_heap(heap_.begin(), heap_.end(), later);
}

bool Scheduler::step() {
  if (heap_.empty()) return false;
  std::pop_heap(heap_.begin(), heap_.end(), later);
  Event event = std::move(heap_.back());
  heap_.pop_back();
  now_ms_ = event.time_ms;
  event.action();
  return true;
}

}  // namespace grouter::sim
