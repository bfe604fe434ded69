// Codecs of the simple client commands.
#include "protocol/mysql_wire/command.h"

#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

constexpr auto kWalkInitDb = kWalkMarkerAndRest<command_byte(Command::kInitDb), &ComInitDb::schema>;
constexpr auto kWalkQuery = kWalkMarkerAndRest<command_byte(Command::kQuery), &ComQuery::query>;
constexpr auto kWalkProcessKill = [](auto& io, auto& m) {
  io.marker(command_byte(Command::kProcessKill));
  io.u32(m.connection_id);
};
constexpr auto kWalkSetOption = [](auto& io, auto& m) {
  io.marker(command_byte(Command::kSetOption));
  io.u16(m.option);
};

}  // namespace

std::expected<Command, std::error_code> decode_command_byte(std::span<const std::uint8_t> payload) {
  if (payload.empty()) return std::unexpected(make_error_code(CodecErrc::kNeedMoreBytes));
  return static_cast<Command>(payload[0]);
}

void append_simple_command(std::vector<std::uint8_t>& out, Command command) {
  out.push_back(command_byte(command));
}

std::expected<Command, std::error_code> decode_simple_command(std::span<const std::uint8_t> payload,
                                                              Command command) {
  WireReader io(payload);
  io.marker(command_byte(command));
  return io.finish(Command{command});
}

void append_init_db(std::vector<std::uint8_t>& out, const ComInitDb& command) {
  encode_with(out, command, kWalkInitDb);
}
std::expected<ComInitDb, std::error_code> decode_init_db(std::span<const std::uint8_t> payload) {
  return decode_with<ComInitDb>(payload, kWalkInitDb);
}

void append_query(std::vector<std::uint8_t>& out, const ComQuery& command) {
  encode_with(out, command, kWalkQuery);
}
std::expected<ComQuery, std::error_code> decode_query(std::span<const std::uint8_t> payload) {
  return decode_with<ComQuery>(payload, kWalkQuery);
}

void append_process_kill(std::vector<std::uint8_t>& out, const ComProcessKill& command) {
  encode_with(out, command, kWalkProcessKill);
}
std::expected<ComProcessKill, std::error_code> decode_process_kill(
    std::span<const std::uint8_t> payload) {
  return decode_with<ComProcessKill>(payload, kWalkProcessKill);
}

void append_set_option(std::vector<std::uint8_t>& out, const ComSetOption& command) {
  encode_with(out, command, kWalkSetOption);
}
std::expected<ComSetOption, std::error_code> decode_set_option(
    std::span<const std::uint8_t> payload) {
  return decode_with<ComSetOption>(payload, kWalkSetOption);
}

}  // namespace grouter::mysql_wire
