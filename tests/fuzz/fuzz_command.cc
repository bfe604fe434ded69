// libFuzzer target `command`: decodes arbitrary bytes with the command codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/command.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const auto payload = in.rest();
  auto command = decode_command_byte(payload);
  if (!command) return 0;
  switch (*command) {
    case Command::kInitDb:
      check_round_trip(
          payload, [](auto p) { return decode_init_db(p); },
          [](auto& out, const auto& v) { append_init_db(out, v); });
      break;
    case Command::kQuery:
      check_round_trip(
          payload, [](auto p) { return decode_query(p); },
          [](auto& out, const auto& v) { append_query(out, v); });
      break;
    case Command::kProcessKill:
      check_round_trip(
          payload, [](auto p) { return decode_process_kill(p); },
          [](auto& out, const auto& v) { append_process_kill(out, v); });
      break;
    case Command::kSetOption:
      check_round_trip(
          payload, [](auto p) { return decode_set_option(p); },
          [](auto& out, const auto& v) { append_set_option(out, v); });
      break;
    default:
      check_round_trip(
          payload, [&](auto p) { return decode_simple_command(p, *command); },
          [](auto& out, Command c) { append_simple_command(out, c); });
      break;
  }
  return 0;
}
