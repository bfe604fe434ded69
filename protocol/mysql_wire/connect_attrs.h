// Connection attributes (CLIENT_CONNECT_ATTRS) as sent in HandshakeResponse41 and COM_CHANGE_USER:
// a length-encoded block of length-encoded key/value strings.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "protocol/mysql_wire/wire_reader.h"
#include "protocol/mysql_wire/wire_writer.h"

namespace grouter::mysql_wire {

using ConnectAttrs = std::vector<std::pair<std::string, std::string>>;

inline void walk_connect_attrs(WireWriter& io, const ConnectAttrs& attrs) {
  Bytes block;
  WireWriter block_io(block);
  for (const auto& [key, value] : attrs) {
    block_io.lenenc_str(key);
    block_io.lenenc_str(value);
  }
  io.lenenc_str(block);
}

inline void walk_connect_attrs(WireReader& io, ConnectAttrs& attrs) {
  std::uint64_t size = 0;
  io.lenenc(size);
  WireReader block_io(io.take(size));
  while (io.ok() && block_io.ok() && !block_io.at_end()) {
    auto& [key, value] = attrs.emplace_back();
    block_io.lenenc_str(key);
    block_io.lenenc_str(value);
  }
  if (!block_io.ok()) io.fail(CodecErrc::kInvalidInput);  // the block's length is known
}

}  // namespace grouter::mysql_wire
