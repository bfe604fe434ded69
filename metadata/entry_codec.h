// The persisted-log encoding of entries: one JSON object per entry,
//   {"format": 1, "type": "<entry_type>", <the entry's fields>}
// with the field names of entry.h. decode() checks shape and types (a malformed, unknown or
// newer-format entry is an error naming the problem); whether an entry fits a state is
// apply_entry()'s business. Unknown extra fields are ignored.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "metadata/entry.h"

namespace grouter::metadata {

inline constexpr uint64_t kEntryFormat = 1;

[[nodiscard]] std::string encode(const Entry& entry);
[[nodiscard]] std::expected<Entry, std::string> decode_entry(std::string_view text);

}  // namespace grouter::metadata
