// libFuzzer target `exchange_tracker`: feeds a random sequence of client and server payloads to the
// command-phase tracker (routing/exchange_tracker.h) and checks what must hold whatever the bytes:
// a refused command changes nothing, a server-side error breaks the tracker for good, and every
// bound (pending commands, statements, cursors, facts) holds. Input layout: see
// tests/fuzz/README.md.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "protocol/mysql_wire/frame.h"
#include "routing/exchange_error.h"
#include "routing/exchange_tracker.h"
#include "tests/fuzz/fuzz_input.h"

using grouter::mysql_wire::fuzz::FuzzInput;
using namespace grouter::routing;

namespace {

constexpr std::uint8_t kFromClient = 1 << 0;
constexpr std::uint8_t kAsCommand = 1 << 1;  // on_command rather than on_client_payload
constexpr std::uint8_t kAsLoginOk = 1 << 2;  // a server payload given to on_login_ok

void check(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "exchange tracker invariant broken: %s\n", what);
  std::abort();
}

void check_bounds(const ExchangeTracker& t) {
  check(t.pending_commands() <= ExchangeTracker::kMaxPendingCommands, "pending bound");
  check(t.statements().size() <= StatementTable::kMaxStatements, "statement bound");
  check(t.statements().open_cursors() <= t.statements().size(), "cursors within statements");
  check(!t.idle() || t.pending_commands() == 0, "idle means nothing pending");
  const SessionFacts& f = t.facts();
  check(f.system_variables.size() <= SessionFacts::kMaxTrackedVariables, "variable bound");
  for (const auto& v : f.system_variables) {
    check(v.name.size() <= SessionFacts::kMaxFactBytes, "variable name bound");
    check(v.value.size() <= SessionFacts::kMaxFactBytes, "variable value bound");
  }
  check(!f.schema || f.schema->size() <= SessionFacts::kMaxFactBytes, "schema bound");
  check(f.last_gtid.size() <= SessionFacts::kMaxFactBytes, "gtid bound");
  check(t.broken() == !t.failure().empty(), "a broken tracker says why, only then");
}

bool is_refusal(const std::error_code& e) {
  return e == make_error_code(ExchangeErrc::kUnsupportedCommand) ||
         e == make_error_code(ExchangeErrc::kTooManyStatements) ||
         e == make_error_code(ExchangeErrc::kPipelineFull) ||
         e == make_error_code(ExchangeErrc::kCommandNotAllowed) ||
         e == make_error_code(ExchangeErrc::kEnded) || e == make_error_code(ExchangeErrc::kBroken);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzInput in(data, size);
  const std::uint32_t caps = in.take_u32();
  const std::uint32_t mariadb_caps = in.take_u32();
  ExchangeTracker t(caps, mariadb_caps);
  while (!in.rest().empty()) {
    const std::uint8_t control = in.take_u8();
    std::size_t length = in.take_u8();
    length |= static_cast<std::size_t>(in.take_u8()) << 8;
    const auto rest = in.rest();
    const auto payload = rest.first(std::min(length, rest.size()));
    for (std::size_t i = 0; i < payload.size(); ++i) (void)in.take_u8();

    const bool was_broken = t.broken();
    const std::size_t pending = t.pending_commands();
    if (control & kFromClient) {
      if (control & kAsCommand) {
        auto info = t.on_command(payload);
        if (!info) {
          check(is_refusal(info.error()), "on_command error kind");
          check(t.pending_commands() == pending && t.broken() == was_broken,
                "a refused command changes nothing");
        }
      } else {
        auto step = t.on_client_payload(payload);
        if (!step) check(is_refusal(step.error()), "on_client_payload error kind");
      }
    } else if (control & kAsLoginOk) {
      (void)t.on_login_ok(payload, "fuzz");
    } else {
      auto progress = t.on_server_payload(payload);
      if (!progress) {
        check(t.broken(), "a server-side error breaks the tracker");
      } else {
        check(!was_broken, "a broken tracker takes nothing");
        if (*progress == ResponseProgress::kComplete) {
          check(t.pending_commands() < pending, "a complete reply takes a command off");
        }
      }
    }
    if (was_broken) check(t.broken(), "broken stays broken");
    check_bounds(t);
  }
  return 0;
}
