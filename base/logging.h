// Logging facade: every component receives a Logger (never a global) and logs through it.
// A Logger is cheap to copy and safe to use from any thread; the sink (stderr or a file) is chosen
// once at start-up by router/. A file sink can be reopened (after logrotate moved the file away).
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace grouter {

class ReopenableFileSink;  // logging.cc

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// Parses DEBUG | INFO | WARNING | ERROR (case-insensitive).
bool parse_log_level(std::string_view text, LogLevel& out);

class Logger {
 public:
  Logger() = default;  // a logger that discards everything
  explicit Logger(std::shared_ptr<spdlog::logger> sink) : sink_(std::move(sink)) {}

  // Creates a logger writing to stderr (folder empty) or to FOLDER/grouter.log.
  static Logger create(const std::string& folder, LogLevel level, std::string& error);

  template <typename... Args>
  void debug(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    if (sink_) sink_->debug(fmt, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void info(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    if (sink_) sink_->info(fmt, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void warning(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    if (sink_) sink_->warn(fmt, std::forward<Args>(args)...);
  }
  template <typename... Args>
  void error(spdlog::format_string_t<Args...> fmt, Args&&... args) const {
    if (sink_) sink_->error(fmt, std::forward<Args>(args)...);
  }
  bool debug_enabled() const { return sink_ && sink_->should_log(spdlog::level::debug); }
  void flush() const {
    if (sink_) sink_->flush();
  }

  // Opens FOLDER/grouter.log again by name (a new file if it was moved away) and writes there from
  // now on; the old file is closed once no thread writes to it. On failure the old file stays in
  // use and the error names the cause. Nothing to do (success) when logging to stderr.
  [[nodiscard]] std::expected<void, std::string> reopen() const;

 private:
  std::shared_ptr<spdlog::logger> sink_;
  std::shared_ptr<ReopenableFileSink> file_;  // null when logging to stderr
};

}  // namespace grouter
