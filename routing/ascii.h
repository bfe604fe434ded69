// ASCII helpers for option values and names (configuration and SQL keywords). Pure.
#pragma once

#include <cstddef>
#include <string_view>

namespace grouter::routing {

constexpr char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

// Whether A and B are equal ignoring ASCII case.
constexpr bool equal_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

}  // namespace grouter::routing
