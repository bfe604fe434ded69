// libFuzzer target `stmt_command`: decodes arbitrary bytes with the stmt_commands codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/stmt_commands.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const auto payload = in.rest();
  if (payload.empty()) return 0;
  switch (payload[0]) {
    case 0x16:
      check_round_trip(
          payload, [](auto p) { return decode_stmt_prepare(p); },
          [](auto& out, const auto& v) { append_stmt_prepare(out, v); });
      break;
    case 0x18:
      check_round_trip(
          payload, [](auto p) { return decode_stmt_send_long_data(p); },
          [](auto& out, const auto& v) { append_stmt_send_long_data(out, v); });
      break;
    case 0x19:
      check_round_trip(
          payload, [](auto p) { return decode_stmt_close(p); },
          [](auto& out, const auto& v) { append_stmt_close(out, v); });
      break;
    default:
      check_round_trip(
          payload, [](auto p) { return decode_stmt_reset(p); },
          [](auto& out, const auto& v) { append_stmt_reset(out, v); });
      break;
  }
  return 0;
}
