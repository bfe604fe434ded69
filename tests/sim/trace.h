// The simulator's transcript: one line per decision or fault, prefixed with the simulated time.
// Off in multi-seed runs (only the enabled check costs anything); on when replaying one seed or a
// scenario, where the same seed must print the same transcript byte for byte.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace grouter::sim {

class Trace {
 public:
  explicit Trace(bool enabled) : enabled_(enabled) {}

  bool enabled() const { return enabled_; }
  void line(int64_t now_ms, const std::string& text) const {
    if (enabled_) std::printf("%8lld ms  %s\n", static_cast<long long>(now_ms), text.c_str());
  }

 private:
  bool enabled_;
};

}  // namespace grouter::sim
