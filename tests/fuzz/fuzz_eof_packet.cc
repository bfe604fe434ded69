// libFuzzer target `eof_packet`: decodes arbitrary bytes with the ok_packet codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/ok_packet.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return grouter::mysql_wire::fuzz::round_trip_with_capabilities(data, size, decode_eof_payload,
                                                                 append_eof_payload);
}
