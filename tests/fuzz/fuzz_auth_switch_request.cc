// libFuzzer target `auth_switch_request`: decodes arbitrary bytes with the auth_messages codec and
// checks that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/auth_messages.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return grouter::mysql_wire::fuzz::round_trip(data, size, decode_auth_switch_request,
                                               append_auth_switch_request);
}
