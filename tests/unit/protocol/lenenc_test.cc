// Length-encoded integers: each form, NULL and 0xff, and truncation.
#include <gtest/gtest.h>

#include "protocol/mysql_wire/codec_error.h"
#include "protocol/mysql_wire/lenenc.h"
#include "tests/unit/protocol/test_bytes.h"

namespace grouter::mysql_wire::testing {
namespace {

struct LenencCase {
  std::uint64_t value;
  std::string_view hex;
};

class Lenenc : public ::testing::TestWithParam<LenencCase> {};

TEST_P(Lenenc, EncodesShortestAndDecodes) {
  Bytes out;
  append_lenenc_int(out, GetParam().value);
  EXPECT_EQ(out, from_hex(GetParam().hex));
  EXPECT_EQ(lenenc_int_size(GetParam().value), out.size());
  const auto decoded = decode_lenenc_int(out);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->value, GetParam().value);
  EXPECT_EQ(decoded->size, out.size());
  for (std::size_t n = 0; n < out.size(); ++n) {
    EXPECT_EQ(decode_lenenc_int(std::span(out).first(n)).error(), CodecErrc::kNeedMoreBytes);
  }
}

INSTANTIATE_TEST_SUITE_P(Forms, Lenenc,
                         ::testing::Values(LenencCase{0, "00"}, LenencCase{250, "fa"},
                                           LenencCase{251, "fcfb00"}, LenencCase{0xffff, "fcffff"},
                                           LenencCase{0x10000, "fd000001"},
                                           LenencCase{0xffffff, "fdffffff"},
                                           LenencCase{0x1000000, "fe0000000100000000"},
                                           LenencCase{0xffffffffffffffff, "feffffffffffffffff"}));

TEST(LenencInvalid, NullAndErrMarkerAreNotIntegers) {
  EXPECT_EQ(decode_lenenc_int(from_hex("fb")).error(), CodecErrc::kInvalidInput);
  EXPECT_EQ(decode_lenenc_int(from_hex("ff")).error(), CodecErrc::kInvalidInput);
}

TEST(LenencInvalid, LongerFormsAreAccepted) {
  const auto decoded = decode_lenenc_int(from_hex("fc0500"));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(decoded->value, 5u);
  EXPECT_EQ(decoded->size, 3u);
}

TEST(LenencString, PrefixesTheLength) {
  Bytes out;
  append_lenenc_string(out, from_text("abc"));
  EXPECT_EQ(out, from_hex("03616263"));
}

}  // namespace
}  // namespace grouter::mysql_wire::testing
