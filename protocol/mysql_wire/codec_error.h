// Error values of the MySQL wire codec. Every decoder reports failure as a std::error_code of this
// category: kNeedMoreBytes when the input stops before the message does (an ordinary condition:
// read more and retry), kInvalidInput for malformed bytes, kPayloadTooLarge when a caller's bound
// is passed, kUnsupported for well-formed input this codec does not handle.
#pragma once

#include <system_error>
#include <type_traits>

namespace grouter::mysql_wire {

enum class CodecErrc { kNeedMoreBytes = 1, kInvalidInput, kPayloadTooLarge, kUnsupported };

const std::error_category& codec_category();
std::error_code make_error_code(CodecErrc e);

}  // namespace grouter::mysql_wire

template <>
struct std::is_error_code_enum<grouter::mysql_wire::CodecErrc> : std::true_type {};
