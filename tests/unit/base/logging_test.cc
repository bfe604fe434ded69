// Logger: the file sink reopens its file by name (what SIGHUP does for logrotate), and keeps the
// old file when the new one cannot be opened.
#include "base/logging.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace grouter {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A fresh folder per test under gtest's temporary directory.
fs::path fresh_folder(const std::string& name) {
  fs::path folder =
      fs::path(::testing::TempDir()) / ("grouter-logging-" + std::to_string(getpid()) + "-" + name);
  fs::remove_all(folder);
  fs::create_directories(folder);
  return folder;
}

Logger file_logger(const fs::path& folder) {
  std::string error;
  Logger logger = Logger::create(folder.string(), LogLevel::kInfo, error);
  EXPECT_TRUE(error.empty()) << error;
  return logger;
}

TEST(Logger, ReopenWritesToANewFileAfterTheOldOneWasMoved) {
  const fs::path folder = fresh_folder("reopen");
  Logger logger = file_logger(folder);
  logger.info("before the rotation");
  fs::rename(folder / "grouter.log", folder / "grouter.log.1");
  logger.info("still to the moved file");
  ASSERT_TRUE(logger.reopen().has_value());
  logger.info("after the rotation");
  logger.flush();

  const std::string rotated = read_text(folder / "grouter.log.1");
  const std::string current = read_text(folder / "grouter.log");
  EXPECT_NE(rotated.find("before the rotation"), std::string::npos) << rotated;
  EXPECT_NE(rotated.find("still to the moved file"), std::string::npos) << rotated;
  EXPECT_EQ(rotated.find("after the rotation"), std::string::npos) << rotated;
  EXPECT_NE(current.find("after the rotation"), std::string::npos) << current;
  EXPECT_EQ(current.find("before the rotation"), std::string::npos) << current;
  fs::remove_all(folder);
}

TEST(Logger, ReopenAppendsWhenTheFileWasNotMoved) {
  const fs::path folder = fresh_folder("append");
  Logger logger = file_logger(folder);
  logger.info("line one");
  ASSERT_TRUE(logger.reopen().has_value());
  logger.info("line two");
  logger.flush();
  const std::string text = read_text(folder / "grouter.log");
  EXPECT_NE(text.find("line one"), std::string::npos) << text;
  EXPECT_NE(text.find("line two"), std::string::npos) << text;
  fs::remove_all(folder);
}

TEST(Logger, AFailedReopenKeepsTheOldFile) {
  const fs::path folder = fresh_folder("fail");
  const fs::path moved = folder.string() + ".moved";
  fs::remove_all(moved);
  Logger logger = file_logger(folder);
  logger.info("first");
  fs::rename(folder, moved);
  std::ofstream(folder) << "a file where the log folder was";  // the folder cannot be made again

  auto reopened = logger.reopen();
  ASSERT_FALSE(reopened.has_value());
  EXPECT_NE(reopened.error().find("grouter.log"), std::string::npos) << reopened.error();
  logger.info("after the failed reopen");
  logger.flush();
  EXPECT_NE(read_text(moved / "grouter.log").find("after the failed reopen"), std::string::npos);
  fs::remove_all(folder);
  fs::remove_all(moved);
}

TEST(Logger, ReopenOnStderrDoesNothing) {
  std::string error;
  Logger logger = Logger::create("", LogLevel::kInfo, error);
  ASSERT_TRUE(error.empty()) << error;
  EXPECT_TRUE(logger.reopen().has_value());
  EXPECT_TRUE(Logger().reopen().has_value());
}

}  // namespace
}  // namespace grouter
