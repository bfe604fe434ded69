// Logger construction: stderr or a file sink, one pattern for both.
#include "base/logging.h"

#include <algorithm>
#include <cctype>

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace grouter {

bool parse_log_level(std::string_view text, LogLevel& out) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (upper == "DEBUG") {
    out = LogLevel::kDebug;
  } else if (upper == "INFO") {
    out = LogLevel::kInfo;
  } else if (upper == "WARNING") {
    out = LogLevel::kWarning;
  } else if (upper == "ERROR") {
    out = LogLevel::kError;
  } else {
    return false;
  }
  return true;
}

Logger Logger::create(const std::string& folder, LogLevel level, std::string& error) {
  std::shared_ptr<spdlog::logger> sink;
  try {
    if (folder.empty()) {
      sink = std::make_shared<spdlog::logger>(
          "grouter", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
      sink = std::make_shared<spdlog::logger>(
          "grouter",
          std::make_shared<spdlog::sinks::basic_file_sink_mt>(folder + "/grouter.log"));
    }
  } catch (const spdlog::spdlog_ex& e) {
    error = e.what();
    return Logger();
  }
  sink->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-7l%$ [%t] %v");
  switch (level) {
    case LogLevel::kDebug: sink->set_level(spdlog::level::debug); break;
    case LogLevel::kInfo: sink->set_level(spdlog::level::info); break;
    case LogLevel::kWarning: sink->set_level(spdlog::level::warn); break;
    case LogLevel::kError: sink->set_level(spdlog::level::err); break;
  }
  sink->flush_on(spdlog::level::info);
  return Logger(std::move(sink));
}

}  // namespace grouter
