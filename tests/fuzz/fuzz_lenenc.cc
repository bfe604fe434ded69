// libFuzzer target `lenenc`: decodes arbitrary bytes with the lenenc codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "protocol/mysql_wire/lenenc.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  auto v = decode_lenenc_int(in.rest());
  if (v) {
    std::vector<std::uint8_t> out;
    append_lenenc_int(out, v->value);
    auto again = decode_lenenc_int(out);
    if (!again || again->value != v->value || again->size > v->size) std::abort();
  }
  return 0;
}
