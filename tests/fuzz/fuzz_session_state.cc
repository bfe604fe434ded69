// libFuzzer target `session_state`: decodes arbitrary bytes with the session_track codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/session_track.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  check_round_trip(in.rest(), [](auto p) { return decode_session_state(p); },
                   [](auto& out, const auto& v) { append_session_state(out, v); });
  return 0;
}
