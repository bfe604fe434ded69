// libFuzzer target `frame`: decodes arbitrary bytes with the frame codec and checks
// that what decodes round-trips. Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "protocol/mysql_wire/frame.h"
#include "tests/fuzz/fuzz_input.h"

using namespace grouter::mysql_wire;
using grouter::mysql_wire::fuzz::check_round_trip;
using grouter::mysql_wire::fuzz::FuzzInput;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  (void)decode_frame_header(in.rest());
  (void)decode_frame(in.rest());
  auto whole = reassemble_payload(in.rest(), 1u << 20);
  if (whole) {
    std::vector<std::uint8_t> wire;
    std::uint8_t sequence_id = whole->first_sequence_id;
    append_frames(wire, sequence_id, whole->payload);
    auto again = reassemble_payload(wire, 1u << 20);
    if (!again || again->payload != whole->payload || sequence_id != whole->next_sequence_id) {
      std::abort();
    }
  }
  return 0;
}
