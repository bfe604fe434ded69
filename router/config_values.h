// Parsers for configuration values, shared by every section. Each returns the value or the
// reason it is wrong ("expected ..."), which the caller puts after the file, line and option.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>

namespace grouter {

std::expected<std::uint64_t, std::string> parse_unsigned(const std::string& value,
                                                         std::uint64_t min, std::uint64_t max);

// Seconds, possibly fractional ("0.5"), from MIN to MAX.
std::expected<std::chrono::milliseconds, std::string> parse_seconds(const std::string& value,
                                                                    double min, double max);

// ON/OFF, as GR's variables are written (also 1/0, TRUE/FALSE; any case).
std::expected<bool, std::string> parse_on_off(const std::string& value);

// The secret in the file at PATH (a trailing newline dropped), or why there is none ("cannot
// read 'PATH'", "'PATH' is empty").
std::expected<std::string, std::string> read_secret_file(const std::string& path);

}  // namespace grouter
