// Error values of the command-phase tracker (exchange_tracker.h). A command the tracker refuses
// (kUnsupportedCommand, kTooManyStatements, kPipelineFull, kCommandNotAllowed) leaves it as it
// was: the caller answers the client itself and does not forward the command. Every other error
// means the byte stream can no longer be followed: the tracker is broken from then on and the
// server connection must be closed.
#pragma once

#include <system_error>
#include <type_traits>

namespace grouter::routing {

enum class ExchangeErrc {
  kUnsupportedCommand = 1,  // replication, MariaDB bulk execute, obsolete or unknown commands
  kTooManyStatements,       // a COM_STMT_PREPARE past the bound on tracked prepared statements
  kPipelineFull,            // too many commands sent ahead of their responses
  kCommandNotAllowed,       // a command that cannot follow what is pending (behind an auth
                            // exchange, during LOCAL INFILE or a continued payload), or an empty
                            // payload
  kUnexpectedPayload,       // a server payload that cannot come at this point of the exchange
  kMalformedPayload,        // a server payload the codec rejects where one is required
  kEnded,                   // a payload after COM_QUIT or the server's goodbye
  kBroken,                  // a payload after an earlier error broke the tracker
};

const std::error_category& exchange_category();
std::error_code make_error_code(ExchangeErrc e);

}  // namespace grouter::routing

template <>
struct std::is_error_code_enum<grouter::routing::ExchangeErrc> : std::true_type {};
