// grouter --validate-config: checks a configuration file the way start-up does, short of the
// network and of writing anything: the file is read and parsed (every section, option and value;
// password files read), and every route's TLS certificates, keys and CAs are loaded. No socket is
// opened, no folder created, no storage node contacted.
#pragma once

#include <expected>
#include <string>

namespace grouter {

// Empty on success; else one line naming the file (and the line, for what the parser finds) and the
// problem.
[[nodiscard]] std::expected<void, std::string> check_config_file(const std::string& path);

}  // namespace grouter
