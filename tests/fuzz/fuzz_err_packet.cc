// libFuzzer target `err_packet`: decodes arbitrary bytes with the err_packet codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/err_packet.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return grouter::mysql_wire::fuzz::round_trip_with_capabilities(data, size, decode_err_payload,
                                                                 append_err_payload);
}
