// libFuzzer target `server_greeting`: decodes arbitrary bytes with the server_greeting codec and
// checks that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/server_greeting.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return grouter::mysql_wire::fuzz::round_trip(data, size, decode_server_greeting,
                                               append_server_greeting);
}
