// libFuzzer target `ok_packet`: decodes arbitrary bytes with the ok_packet codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/ok_packet.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint32_t caps = in.take_u32();
  check_round_trip(
      in.rest(), [&](auto p) { return decode_ok_payload(p, caps); },
      [&](auto& out, const auto& v) { append_ok_payload(out, v, caps); });
  (void)is_end_of_rows(in.rest(), caps);
  return 0;
}
