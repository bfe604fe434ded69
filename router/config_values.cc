// Configuration value parsers.
#include "router/config_values.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>

namespace grouter {

std::expected<std::uint64_t, std::string> parse_unsigned(const std::string& value,
                                                         std::uint64_t min, std::uint64_t max) {
  std::uint64_t out = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), out);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() || out < min ||
      out > max) {
    return std::unexpected("expected an integer from " + std::to_string(min) + " to " +
                           std::to_string(max));
  }
  return out;
}

std::expected<std::chrono::milliseconds, std::string> parse_seconds(const std::string& value,
                                                                    double min, double max) {
  double seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || ec != std::errc() || end != value.data() + value.size() ||
      !std::isfinite(seconds) || seconds < min || seconds > max) {
    std::ostringstream range;
    range << "expected seconds from " << min << " to " << max;
    return std::unexpected(range.str());
  }
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(seconds * 1000)));
}

std::expected<bool, std::string> parse_on_off(const std::string& value) {
  std::string upper(value);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper == "ON" || upper == "1" || upper == "TRUE") return true;
  if (upper == "OFF" || upper == "0" || upper == "FALSE") return false;
  return std::unexpected("expected ON or OFF");
}

std::expected<std::string, std::string> read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected("cannot read '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  std::string secret = text.str();
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.empty()) return std::unexpected("'" + path + "' is empty");
  return secret;
}

}  // namespace grouter
