// Replies grouter sends itself.
#include "routing/local_reply.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

constexpr std::uint16_t kUtf8mb4GeneralCi = 45;

}  // namespace

Payloads ok_reply(std::uint16_t status_flags, std::uint32_t capabilities) {
  Payloads out(1);
  wire::OkPacket ok;
  ok.status_flags = status_flags;
  wire::append_ok_payload(out[0], ok, capabilities);
  return out;
}

Payloads err_reply(std::uint16_t code, const std::string& sql_state, const std::string& message,
                   std::uint32_t capabilities) {
  Payloads out(1);
  wire::append_err_payload(out[0], wire::ErrPacket{code, sql_state, message}, capabilities);
  return out;
}

Payloads result_set_reply(const std::vector<wire::ColumnDefinition>& columns,
                          const std::vector<wire::TextRow>& rows, std::uint16_t status_flags,
                          std::uint32_t capabilities, std::uint32_t mariadb_capabilities) {
  const bool deprecate_eof = (capabilities & wire::capability::kDeprecateEof) != 0;
  Payloads out;
  out.emplace_back();
  wire::append_column_count(out.back(), wire::ColumnCount{columns.size(), 1}, capabilities,
                            mariadb_capabilities);
  for (const auto& column : columns) {
    out.emplace_back();
    wire::append_column_definition(out.back(), column, mariadb_capabilities);
  }
  const wire::EofPacket eof{0, status_flags};
  if (!deprecate_eof) {
    out.emplace_back();
    wire::append_eof_payload(out.back(), eof, capabilities);
  }
  for (const auto& row : rows) {
    out.emplace_back();
    wire::append_text_row(out.back(), row);
  }
  out.emplace_back();
  if (deprecate_eof) {
    wire::OkPacket end;
    end.status_flags = status_flags;
    wire::append_eof_ok_payload(out.back(), end, capabilities);
  } else {
    wire::append_eof_payload(out.back(), eof, capabilities);
  }
  return out;
}

Payloads one_value_reply(const std::string& name, const std::optional<std::string>& value,
                         std::uint16_t status_flags, std::uint32_t capabilities,
                         std::uint32_t mariadb_capabilities) {
  wire::ColumnDefinition column;
  column.name = name;
  column.charset = kUtf8mb4GeneralCi;
  column.column_length = 4 * 64;
  column.type = wire::ColumnType::kVarString;
  return result_set_reply({column}, {wire::TextRow{{value}}}, status_flags, capabilities,
                          mariadb_capabilities);
}

}  // namespace grouter::routing
