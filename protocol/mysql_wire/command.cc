// Codecs of the simple client commands.
#include "protocol/mysql_wire/command.h"

#include <type_traits>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

constexpr auto kWalkInitDb = kWalkMarkerAndRest<command_byte(Command::kInitDb), &ComInitDb::schema>;
auto walk_query_for(std::uint32_t caps) {
  return [caps](auto& io, auto& m) {
    io.marker(command_byte(Command::kQuery));
    if (caps & capability::kQueryAttributes) {
      std::uint64_t parameter_count = 0;
      std::uint64_t parameter_set_count = 1;
      io.lenenc(parameter_count);
      io.lenenc(parameter_set_count);
      if constexpr (std::remove_reference_t<decltype(io)>::kDecoding) {
        if (parameter_set_count != 1) io.fail(CodecErrc::kInvalidInput);
        if (parameter_count != 0) io.fail(CodecErrc::kUnsupported);
      }
    }
    io.eof_str(m.query);
  };
}
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

void append_query(std::vector<std::uint8_t>& out, const ComQuery& command,
                  std::uint32_t capabilities) {
  encode_with(out, command, walk_query_for(capabilities));
}
std::expected<ComQuery, std::error_code> decode_query(std::span<const std::uint8_t> payload,
                                                      std::uint32_t capabilities) {
  return decode_with<ComQuery>(payload, walk_query_for(capabilities));
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
