// The error category of the MySQL wire codec.
#include "protocol/mysql_wire/codec_error.h"

#include <string>

namespace grouter::mysql_wire {
namespace {

class CodecCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mysql_wire"; }

  std::string message(int value) const override {
    switch (static_cast<CodecErrc>(value)) {
      case CodecErrc::kNeedMoreBytes:
        return "need more bytes";
      case CodecErrc::kInvalidInput:
        return "invalid input";
      case CodecErrc::kPayloadTooLarge:
        return "payload too large";
      case CodecErrc::kUnsupported:
        return "unsupported";
    }
    return "unknown mysql_wire error";
  }
};

}  // namespace

const std::error_category& codec_category() {
  // A function-local constant: stateless, immutable, so not ambient mutable state.
  static const CodecCategory category;
  return category;
}

std::error_code make_error_code(CodecErrc e) {
  return {static_cast<int>(e), codec_category()};
}

}  // namespace grouter::mysql_wire
