// COM_CHANGE_USER codec.
#include "protocol/mysql_wire/change_user.h"

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/walk.h"

namespace grouter::mysql_wire {
namespace {

auto walk_for(std::uint32_t caps) {
  return [caps](auto& io, auto& m) {
    io.marker(command_byte(Command::kChangeUser));
    io.nul_str(m.user);
    if (caps & capability::kSecureConnection) {
      io.u8_str(m.auth_response);
    } else {
      io.nul_str(m.auth_response);
    }
    io.nul_str(m.schema);
    io.u16(m.charset);
    if (caps & capability::kPluginAuth) io.nul_str(m.auth_plugin_name);
    if (caps & capability::kConnectAttrs) walk_connect_attrs(io, m.attributes);
  };
}

}  // namespace

void append_change_user(std::vector<std::uint8_t>& out, const ComChangeUser& command,
                        std::uint32_t capabilities) {
  encode_with(out, command, walk_for(capabilities));
}

std::expected<ComChangeUser, std::error_code> decode_change_user(
    std::span<const std::uint8_t> payload, std::uint32_t capabilities) {
  return decode_with<ComChangeUser>(payload, walk_for(capabilities));
}

}  // namespace grouter::mysql_wire
