// The error category of the command-phase tracker.
#include "routing/exchange_error.h"

#include <string>

namespace grouter::routing {
namespace {

class ExchangeCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "exchange"; }

  std::string message(int value) const override {
    switch (static_cast<ExchangeErrc>(value)) {
      case ExchangeErrc::kUnsupportedCommand:
        return "command not supported through the router";
      case ExchangeErrc::kTooManyStatements:
        return "too many prepared statements on one connection";
      case ExchangeErrc::kPipelineFull:
        return "too many commands sent ahead of their responses";
      case ExchangeErrc::kCommandNotAllowed:
        return "command not allowed at this point of the exchange";
      case ExchangeErrc::kUnexpectedPayload:
        return "unexpected server packet";
      case ExchangeErrc::kMalformedPayload:
        return "malformed server packet";
      case ExchangeErrc::kEnded:
        return "the session has ended";
      case ExchangeErrc::kBroken:
        return "the exchange could not be followed";
    }
    return "unknown exchange error";
  }
};

}  // namespace

const std::error_category& exchange_category() {
  // A function-local constant: stateless, immutable, so not ambient mutable state.
  static const ExchangeCategory category;
  return category;
}

std::error_code make_error_code(ExchangeErrc e) {
  return {static_cast<int>(e), exchange_category()};
}

}  // namespace grouter::routing
