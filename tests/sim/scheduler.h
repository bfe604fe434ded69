// The simulator's clock and event queue: simulated time in integer milliseconds, events run in
// (time, insertion order), so the same inputs give the same run. No threads, no real clock, no
// sleeps. Owned by the Simulation; everything in the sim schedules through it. Not thread-safe.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "metadata/random.h"

namespace grouter::sim {

class Scheduler {
 public:
  using Action = std::function<void()>;

  // A bound on pending events: reaching it is a bug in the sim (every process keeps O(1) pending).
  static constexpr size_t kMaxPending = 100000;

  int64_t now_ms() const { return now_ms_; }
  size_t pending() const { return heap_.size(); }
  // The time of the earliest pending event (only when pending() > 0).
  int64_t next_time_ms() const { return heap_.front().time_ms; }

  void at(int64_t time_ms, Action action);
  void after(int64_t delay_ms, Action action) { at(now_ms_ + delay_ms, std::move(action)); }

  // Runs the earliest event; false when there is none.
  bool step();

 private:
  struct Event {
    int64_t time_ms;
    uint64_t seq;
    Action action;
  };
  static bool later(const Event& a, const Event& b) {
    return a.time_ms != b.time_ms ? a.time_ms > b.time_ms : a.seq > b.seq;
  }

  int64_t now_ms_ = 0;
  uint64_t next_seq_ = 0;
  std::vector<Event> heap_;
};

// The seeded source of every choice in a run (splitmix64 from metadata/random.h).
class Dice {
 public:
  explicit Dice(uint64_t seed) : random_(seed) {}

  uint64_t next() { return random_.next(); }
  // Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    assert(lo <= hi);
    return lo + static_cast<int64_t>(random_.next() % static_cast<uint64_t>(hi - lo + 1));
  }
  // True with probability percent / 100.
  bool chance(int percent) { return range(0, 99) < percent; }
  size_t pick(size_t n) { return static_cast<size_t>(range(0, static_cast<int64_t>(n) - 1)); }

 private:
  metadata::SeededRandom random_;
};

}  // namespace grouter::sim
