// libFuzzer target `session_state`: decodes arbitrary bytes with the session_track codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/session_track.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return grouter::mysql_wire::fuzz::round_trip(data, size, decode_session_state,
                                               append_session_state);
}
