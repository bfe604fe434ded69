// libFuzzer target `stmt_prepare_ok`: decodes arbitrary bytes with the stmt_commands codec and
// checks that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>

#include "protocol/mysql_wire/stmt_commands.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return grouter::mysql_wire::fuzz::round_trip_with_capabilities(data, size, decode_stmt_prepare_ok,
                                                                 append_stmt_prepare_ok);
}
