// libFuzzer target `text_row`: decodes arbitrary bytes with the result_set codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/result_set.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::size_t columns = in.take_u8();
  check_round_trip(
      in.rest(), [&](auto p) { return decode_text_row(p, columns); },
      [](auto& out, const auto& v) { append_text_row(out, v); });
  return 0;
}
