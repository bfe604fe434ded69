// The source of randomness the pure metadata core is given (donor choice, member ids). Nothing in
// metadata/ draws randomness on its own. SeededRandom is deterministic (splitmix64) for tests and
// simulation; the adapter in router/ passes one seeded from the operating system.
#pragma once

#include <cstdint>

namespace grouter::metadata {

class Random {
 public:
  virtual ~Random() = default;
  // A uniformly distributed 64-bit value.
  virtual uint64_t next() = 0;
};

// splitmix64: the same seed gives the same sequence on every platform.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(uint64_t seed) : state_(seed) {}

  uint64_t next() override {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace grouter::metadata
