// libFuzzer target `binary_row`: decodes arbitrary bytes with the binary_row codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "protocol/mysql_wire/binary_row.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  std::vector<ColumnType> types(in.take_u8() % 32);
  for (auto& t : types) t = static_cast<ColumnType>(in.take_u8());
  check_round_trip(
      in.rest(), [&](auto p) { return decode_binary_row(p, types); },
      [&](auto& out, const auto& v) { append_binary_row(out, v, types); });
  return 0;
}
