// Result sets of the admin port.
#include "router/admin/result_encoding.h"

#include "protocol/mysql_wire/result_set.h"

namespace grouter::admin {
namespace {

namespace wire = grouter::mysql_wire;

constexpr std::uint16_t kUtf8mb4GeneralCi = 45;
constexpr std::uint16_t kBinary = 63;
constexpr std::uint16_t kBinaryFlag = 128;  // BINARY_FLAG, as the server sets on numbers

bool numeric(wire::ColumnType type) {
  return type == wire::ColumnType::kLong || type == wire::ColumnType::kLongLong;
}

}  // namespace

routing::Payloads encode_table(const Table& table, std::uint16_t status_flags,
                               std::uint32_t capabilities) {
  std::vector<wire::ColumnDefinition> columns;
  for (const Column& c : table.columns) {
    wire::ColumnDefinition def;
    def.schema = table.schema;
    def.table = table.name;
    def.org_table = table.name;
    def.name = c.name;
    def.org_name = table.name.empty() ? std::string() : c.name;
    def.charset = numeric(c.type) ? kBinary : kUtf8mb4GeneralCi;
    def.column_length = c.length;
    def.type = c.type;
    def.flags = c.flags;
    if (numeric(c.type)) def.flags |= kBinaryFlag;
    columns.push_back(std::move(def));
  }
  std::vector<wire::TextRow> rows;
  for (const Row& row : table.rows) {
    wire::TextRow text;
    for (const Value& v : row) text.values.push_back(to_text(v));
    rows.push_back(std::move(text));
  }
  return routing::result_set_reply(columns, rows, status_flags, capabilities, 0);
}

}  // namespace grouter::admin
