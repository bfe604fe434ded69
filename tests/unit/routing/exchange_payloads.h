// Helpers of the exchange-tracker tests: server and client payloads built with the codec's
// append_* functions for one set of agreed capabilities, and a driver that feeds a whole reply and
// checks that every proper prefix of it leaves the response incomplete.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "protocol/mysql_wire/binary_row.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "protocol/mysql_wire/stmt_commands.h"
#include "routing/exchange_tracker.h"

namespace grouter::routing::testing {

namespace wire = grouter::mysql_wire;
namespace st = wire::server_status;
using wire::Command;
using Bytes = std::vector<std::uint8_t>;
using Payloads = std::vector<Bytes>;

inline constexpr std::uint32_t kBaseCaps =
    wire::capability::kProtocol41 | wire::capability::kTransactions |
    wire::capability::kSecureConnection | wire::capability::kMultiStatements |
    wire::capability::kMultiResults | wire::capability::kPsMultiResults |
    wire::capability::kPluginAuth | wire::capability::kSessionTrack | wire::capability::kLocalFiles;
inline constexpr std::uint32_t kMariadbCaps = wire::mariadb_capability::kProgress |
                                              wire::mariadb_capability::kCacheMetadata |
                                              wire::mariadb_capability::kExtendedTypeInfo;
inline constexpr std::uint16_t kIdle = st::kAutocommit;  // the status of an idle session
inline constexpr std::uint16_t kMore = kIdle | st::kMoreResultsExist;

struct Variant {
  const char* name;
  std::uint32_t caps;
  std::uint32_t mariadb_caps;

  bool deprecate_eof() const { return (caps & wire::capability::kDeprecateEof) != 0; }
};

inline void PrintTo(const Variant& variant, std::ostream* os) {
  *os << variant.name;
}

// Payloads as a server (or client) with VARIANT's capabilities sends them.
class PayloadMaker {
 public:
  explicit PayloadMaker(Variant variant) : v_(variant) {}

  Bytes ok(std::uint16_t status = kIdle, std::uint64_t affected_rows = 0) const {
    Bytes out;
    wire::OkPacket ok;
    ok.status_flags = status;
    ok.affected_rows = affected_rows;
    wire::append_ok_payload(out, ok, v_.caps);
    return out;
  }
  Bytes ok_packet(const wire::OkPacket& ok) const {
    Bytes out;
    wire::append_ok_payload(out, ok, v_.caps);
    return out;
  }
  // The packet that ends rows (and, without CLIENT_DEPRECATE_EOF, definitions).
  Bytes end(std::uint16_t status = kIdle) const {
    Bytes out;
    if (v_.deprecate_eof()) {
      wire::OkPacket ok;
      ok.status_flags = status;
      wire::append_eof_ok_payload(out, ok, v_.caps);
    } else {
      wire::append_eof_payload(out, wire::EofPacket{0, status}, v_.caps);
    }
    return out;
  }
  Bytes old_eof(std::uint16_t status = kIdle) const {
    Bytes out;
    wire::append_eof_payload(out, wire::EofPacket{0, status}, v_.caps);
    return out;
  }
  Bytes err(std::uint16_t code = 1064) const {
    Bytes out;
    wire::append_err_payload(out, wire::ErrPacket{code, "42000", "an error"}, v_.caps);
    return out;
  }
  // MariaDB's progress report: ERR marker, code 0xffff, stage, max stage, progress, state.
  Bytes progress() const { return Bytes{0xff, 0xff, 0xff, 1, 1, 0x10, 0, 0, 0}; }
  Bytes column_count(std::uint64_t count, bool metadata = true) const {
    Bytes out;
    wire::append_column_count(
        out, wire::ColumnCount{count, metadata ? std::uint8_t{1} : std::uint8_t{0}}, v_.caps,
        v_.mariadb_caps);
    return out;
  }
  Bytes column(const std::string& name) const {
    Bytes out;
    wire::ColumnDefinition c;
    c.name = name;
    c.org_name = name;
    c.type = wire::ColumnType::kLongLong;
    wire::append_column_definition(out, c, v_.mariadb_caps);
    return out;
  }
  Bytes text_row(std::vector<std::optional<std::string>> values) const {
    Bytes out;
    wire::append_text_row(out, wire::TextRow{std::move(values)});
    return out;
  }
  Bytes binary_row(std::uint8_t value) const {
    Bytes out;
    const wire::ColumnType types[] = {wire::ColumnType::kLongLong};
    wire::BinaryRow row;
    row.values.push_back(Bytes{value, 0, 0, 0, 0, 0, 0, 0});
    wire::append_binary_row(out, row, types);
    return out;
  }
  Bytes prepare_ok(std::uint32_t id, std::uint16_t columns, std::uint16_t params) const {
    Bytes out;
    wire::append_stmt_prepare_ok(out, wire::StmtPrepareOk{id, columns, params, 0, 1}, v_.caps);
    return out;
  }
  // A result set of COLUMNS columns and ROWS rows ending with END_STATUS: count, definitions
  // (unless METADATA is false), [EOF], rows, end.
  Payloads result_set(int columns, int rows, std::uint16_t end_status = kIdle, bool binary = false,
                      bool metadata = true) const {
    Payloads out{column_count(static_cast<std::uint64_t>(columns), metadata)};
    for (int i = 0; metadata && i < columns; ++i) out.push_back(column("c" + std::to_string(i)));
    if (!v_.deprecate_eof())
      out.push_back(old_eof(end_status & ~wire::server_status::kMoreResultsExist));
    for (int i = 0; i < rows; ++i) {
      out.push_back(binary ? binary_row(static_cast<std::uint8_t>(i))
                           : text_row(std::vector<std::optional<std::string>>(
                                 static_cast<std::size_t>(columns), std::to_string(i))));
    }
    out.push_back(end(end_status));
    return out;
  }

  // Client commands.
  static Bytes query(const std::string& sql) {
    Bytes out;
    wire::append_query(out, wire::ComQuery{sql});
    return out;
  }
  static Bytes simple(wire::Command command) {
    Bytes out;
    wire::append_simple_command(out, command);
    return out;
  }
  static Bytes prepare(const std::string& sql) {
    Bytes out;
    wire::append_stmt_prepare(out, wire::ComStmtPrepare{sql});
    return out;
  }
  static Bytes execute(std::uint32_t id, std::uint8_t flags = wire::kCursorTypeNoCursor) {
    Bytes out;
    wire::ComStmtExecute e;
    e.statement_id = id;
    e.flags = flags;
    wire::append_stmt_execute(out, e);
    return out;
  }
  // COM_STMT_FETCH: the codec has no encoder for it; command byte, statement id, row count.
  static Bytes fetch(std::uint32_t id, std::uint32_t rows) {
    Bytes out{wire::command_byte(wire::Command::kStmtFetch)};
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(id >> (8 * i)));
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(rows >> (8 * i)));
    return out;
  }
  static Bytes close(std::uint32_t id) {
    Bytes out;
    wire::append_stmt_close(out, wire::ComStmtClose{id});
    return out;
  }

 private:
  Variant v_;
};

inline Payloads operator+(Payloads a, const Payloads& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// The capability sets every table-driven test runs under.
inline const auto kVariants = ::testing::Values(
    Variant{"eof", kBaseCaps, 0},
    Variant{"deprecate_eof", kBaseCaps | wire::capability::kDeprecateEof, 0},
    Variant{"mariadb", kBaseCaps & ~wire::capability::kClientMysql, kMariadbCaps},
    Variant{"mariadb_deprecate_eof",
            (kBaseCaps & ~wire::capability::kClientMysql) | wire::capability::kDeprecateEof,
            kMariadbCaps});

inline std::string variant_name(const ::testing::TestParamInfo<Variant>& info) {
  return info.param.name;
}

// A tracker and a payload maker for one capability set.
class ExchangeTest : public ::testing::TestWithParam<Variant> {
 protected:
  ExchangeTracker tracker_{GetParam().caps, GetParam().mariadb_caps};
  PayloadMaker make_{GetParam()};
  bool deprecate_eof() const { return GetParam().deprecate_eof(); }
};

// Sends COMMAND as the client; it must be taken as a command.
inline void send_command(ExchangeTracker& t, const Bytes& command, bool expects_response = true) {
  auto step = t.on_client_payload(command);
  ASSERT_TRUE(step) << step.error().message();
  EXPECT_EQ(step->kind, ClientPayloadKind::kCommand);
  EXPECT_EQ(step->command.expects_response, expects_response);
}

// Feeds REPLY: every payload before the last must leave the response in progress (every proper
// split point of the reply), the last must give LAST.
inline void feed_reply(ExchangeTracker& t, const Payloads& reply,
                       ResponseProgress last = ResponseProgress::kComplete) {
  for (std::size_t i = 0; i < reply.size(); ++i) {
    SCOPED_TRACE("reply payload " + std::to_string(i));
    auto progress = t.on_server_payload(reply[i]);
    ASSERT_TRUE(progress) << progress.error().message() << ": " << t.failure();
    if (i + 1 < reply.size()) {
      ASSERT_EQ(*progress, ResponseProgress::kMore);
      ASSERT_FALSE(t.idle());
    } else {
      ASSERT_EQ(*progress, last);
    }
  }
}

}  // namespace grouter::routing::testing
