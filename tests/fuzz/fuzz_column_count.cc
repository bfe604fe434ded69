// libFuzzer target `column_count`: decodes arbitrary bytes with the result_set codec and checks
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
  const std::uint32_t caps = in.take_u32();
  const std::uint32_t mariadb_caps = in.take_u32();
  check_round_trip(
      in.rest(), [&](auto p) { return decode_column_count(p, caps, mariadb_caps); },
      [&](auto& out, const auto& v) { append_column_count(out, v, caps, mariadb_caps); });
  return 0;
}
