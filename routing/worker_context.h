// What the connections of one worker loop share: the loop, the logger, one read buffer (each read
// is forwarded or copied before the next read starts, so one buffer serves every connection of the
// loop), and the set of live connections it owns. Used only on the worker's own thread.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <unordered_map>

#include <uv.h>

#include "base/logging.h"

namespace grouter::routing {

class Connection;
class MemberWaiter;

inline constexpr std::size_t kReadBufferSize = 64 * 1024;

// The loop's data pointer points at its WorkerContext.
struct WorkerContext {
  uv_loop_t* loop = nullptr;
  Logger logger;
  std::array<char, kReadBufferSize> read_buffer{};
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections;
  // AFTER consistency: waits for the members to apply a write (null until the worker starts).
  MemberWaiter* member_waiter = nullptr;
};

}  // namespace grouter::routing
