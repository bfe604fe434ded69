// Malformed and unsupported input for each decoder, one row per error case.
#include <gtest/gtest.h>

#include <functional>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/binary_row.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/change_user.h"
#include "protocol/mysql_wire/codec_error.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "protocol/mysql_wire/session_track.h"
#include "protocol/mysql_wire/stmt_commands.h"
#include "tests/unit/protocol/test_bytes.h"

namespace grouter::mysql_wire::testing {
namespace {

using Decode = std::function<std::error_code(std::span<const std::uint8_t>)>;

template <class F>
Decode d(F f) {
  return [f](std::span<const std::uint8_t> in) {
    auto r = f(in);
    return r ? std::error_code{} : r.error();
  };
}

struct ErrorCase {
  std::string name;
  Decode decode;
  std::string_view hex;
  CodecErrc expected;
};

constexpr std::uint32_t kP41 = capability::kProtocol41;

std::vector<ErrorCase> cases() {
  const std::vector<ColumnType> two_longs = {ColumnType::kLong, ColumnType::kLong};
  return {
      {"err wrong marker", d([](auto p) { return decode_err_payload(p, kP41); }), "fe1504",
       CodecErrc::kInvalidInput},
      {"err progress report", d([](auto p) { return decode_err_payload(p, kP41); }), "ffffff01",
       CodecErrc::kUnsupported},
      {"ok wrong marker", d([](auto p) { return decode_ok_payload(p, kP41); }), "01000002000000",
       CodecErrc::kInvalidInput},
      {"ok lenenc 0xff", d([](auto p) { return decode_ok_payload(p, kP41); }), "00ff",
       CodecErrc::kInvalidInput},
      {"ok trailing byte with session track off",
       d([](auto p) { return decode_ok_payload(p, kP41 | capability::kSessionTrack); }),
       "0000000200000000ff", CodecErrc::kInvalidInput},
      {"ok session state shorter than its length",
       d([](auto p) { return decode_ok_payload(p, kP41 | capability::kSessionTrack); }),
       "00000000400000000500020161", CodecErrc::kNeedMoreBytes},
      {"ok session entry overruns its block",
       d([](auto p) { return decode_ok_payload(p, kP41 | capability::kSessionTrack); }),
       "000000004000000003010561", CodecErrc::kInvalidInput},
      {"ok system variable missing value",
       d([](auto p) { return decode_ok_payload(p, kP41 | capability::kSessionTrack); }),
       "00000000400000000400020161", CodecErrc::kInvalidInput},
      {"eof trailing byte", d([](auto p) { return decode_eof_payload(p, kP41); }), "fe0000020000",
       CodecErrc::kInvalidInput},
      {"eof wrong marker", d([](auto p) { return decode_eof_payload(p, kP41); }), "0000000200",
       CodecErrc::kInvalidInput},
      {"greeting protocol 9", d(decode_server_greeting), "09352e3000", CodecErrc::kUnsupported},
      {"greeting without version terminator", d(decode_server_greeting), "0a352e35",
       CodecErrc::kNeedMoreBytes},
      {"handshake response 3.20", d(decode_handshake_response),
       "0000000000000001210000000000000000000000000000000000000000000000", CodecErrc::kUnsupported},
      {"ssl request without ssl flag", d(decode_ssl_request),
       "00020000000000012100000000000000000000000000000000000000000000000",
       CodecErrc::kInvalidInput},
      {"ssl request too long", d(decode_ssl_request),
       "00080000000000012100000000000000000000000000000000000000000000000000",
       CodecErrc::kInvalidInput},
      {"connect attrs overrun their block", d(decode_handshake_response),
       "008210000000000121000000000000000000000000000000000000000000000075000003056162",
       CodecErrc::kInvalidInput},
      {"old auth switch", d(decode_auth_switch_request), "fe", CodecErrc::kUnsupported},
      {"auth more data wrong marker", d(decode_auth_more_data), "0203", CodecErrc::kInvalidInput},
      {"column count zero", d([](auto p) { return decode_column_count(p, 0, 0); }), "00",
       CodecErrc::kInvalidInput},
      {"column count null", d([](auto p) { return decode_column_count(p, 0, 0); }), "fb",
       CodecErrc::kInvalidInput},
      {"column definition fixed length 0x0b",
       d([](auto p) { return decode_column_definition(p, 0); }),
       "036465660000000000000b2100000000000300000000", CodecErrc::kInvalidInput},
      {"text row too few values", d([](auto p) { return decode_text_row(p, 3); }), "0161fb",
       CodecErrc::kNeedMoreBytes},
      {"text row too many values", d([](auto p) { return decode_text_row(p, 1); }), "0161fb",
       CodecErrc::kInvalidInput},
      {"text row 0xff length", d([](auto p) { return decode_text_row(p, 1); }), "ff",
       CodecErrc::kInvalidInput},
      {"binary row wrong marker",
       d([two_longs](auto p) { return decode_binary_row(p, two_longs); }), "0100",
       CodecErrc::kInvalidInput},
      {"binary row short value", d([two_longs](auto p) { return decode_binary_row(p, two_longs); }),
       "000001000000", CodecErrc::kNeedMoreBytes},
      {"execute bad bound flag", d([](auto p) { return decode_stmt_execute(p, 1); }),
       "17010000000001000000000208000100000000000000", CodecErrc::kInvalidInput},
      {"execute reuses unknown types", d([](auto p) { return decode_stmt_execute(p, 1); }),
       "170100000000010000000000", CodecErrc::kInvalidInput},
      {"query wrong command", d([](auto p) { return decode_query(p); }), "0273656c656374",
       CodecErrc::kInvalidInput},
      {"query with attributes",
       d([](auto p) { return decode_query(p, capability::kQueryAttributes); }), "030101000161",
       CodecErrc::kUnsupported},
      {"query with two parameter sets",
       d([](auto p) { return decode_query(p, capability::kQueryAttributes); }), "03000261",
       CodecErrc::kInvalidInput},
      {"ping with a body", d([](auto p) { return decode_simple_command(p, Command::kPing); }),
       "0e00", CodecErrc::kInvalidInput},
      {"process kill short", d(decode_process_kill), "0c0100", CodecErrc::kNeedMoreBytes},
      {"stmt close trailing", d(decode_stmt_close), "190100000000", CodecErrc::kInvalidInput},
      {"change user missing charset",
       d([](auto p) { return decode_change_user(p, capability::kSecureConnection); }), "1175000000",
       CodecErrc::kNeedMoreBytes},
      {"session state unknown type kept", d(decode_session_state), "09026869", CodecErrc{}},
  };
}

class DecodeError : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(DecodeError, ReportsTheError) {
  const Bytes payload = from_hex(GetParam().hex);
  const auto error = GetParam().decode(payload);
  if (GetParam().expected == CodecErrc{}) {
    EXPECT_EQ(error, std::error_code{});
  } else {
    EXPECT_EQ(error, GetParam().expected) << error.message();
  }
}

INSTANTIATE_TEST_SUITE_P(Malformed, DecodeError, ::testing::ValuesIn(cases()),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           for (auto& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(CodecCategory, NamesItsErrors) {
  EXPECT_STREQ(codec_category().name(), "mysql_wire");
  EXPECT_EQ(make_error_code(CodecErrc::kNeedMoreBytes).message(), "need more bytes");
  EXPECT_EQ(std::error_code(CodecErrc::kPayloadTooLarge).message(), "payload too large");
}

}  // namespace
}  // namespace grouter::mysql_wire::testing
