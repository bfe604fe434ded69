// Logger construction: stderr or a file sink, one pattern for both; the file sink reopens its file
// by name on request (SIGHUP, for logrotate).
#include "base/logging.h"

#include <algorithm>
#include <cctype>
#include <mutex>

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace grouter {

// spdlog's basic_file_sink cannot reopen: this one keeps the file in a file_helper it can swap
// under the sink's mutex (the one every write takes).
class ReopenableFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit ReopenableFileSink(std::string path) : path_(std::move(path)) { file_->open(path_); }

  std::expected<void, std::string> reopen() {
    auto fresh = std::make_unique<spdlog::details::file_helper>();
    try {
      fresh->open(path_);
    } catch (const spdlog::spdlog_ex& e) {
      return std::unexpected(e.what());
    }
    std::lock_guard lock(mutex_);
    file_->flush();
    file_.swap(fresh);  // the old file closes when fresh goes out of scope
    return {};
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(msg, formatted);
    file_->write(formatted);
  }
  void flush_() override { file_->flush(); }

 private:
  const std::string path_;
  std::unique_ptr<spdlog::details::file_helper> file_ =
      std::make_unique<spdlog::details::file_helper>();
};

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
  std::shared_ptr<ReopenableFileSink> file;
  try {
    if (folder.empty()) {
      sink = std::make_shared<spdlog::logger>(
          "grouter", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    } else {
      file = std::make_shared<ReopenableFileSink>(folder + "/grouter.log");
      sink = std::make_shared<spdlog::logger>("grouter", file);
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
  Logger logger(std::move(sink));
  logger.file_ = std::move(file);
  return logger;
}

std::expected<void, std::string> Logger::reopen() const {
  if (!file_) return {};
  return file_->reopen();
}

}  // namespace grouter
