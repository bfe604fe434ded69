// libFuzzer target `stmt_execute`: decodes arbitrary bytes with the stmt_commands codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "protocol/mysql_wire/stmt_commands.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint16_t params = in.take_u8();
  std::vector<ParamType> previous(in.take_u8() % 32);
  for (auto& p : previous) p.type = static_cast<ColumnType>(in.take_u8());
  check_round_trip(
      in.rest(), [&](auto p) { return decode_stmt_execute(p, params, previous); },
      [&](auto& out, const auto& v) { append_stmt_execute(out, v, previous); });
  return 0;
}
