// libFuzzer target `ssl_request`: decodes arbitrary bytes with the handshake_response codec and
// checks that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/handshake_response.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  (void)is_ssl_request(in.rest());
  check_round_trip(
      in.rest(), [](auto p) { return decode_ssl_request(p); },
      [](auto& out, const auto& v) { append_ssl_request(out, v); });
  return 0;
}
