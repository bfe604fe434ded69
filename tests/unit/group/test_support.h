// Helpers shared by the group/ tests: a temporary folder, a recorder of applied entries, and raw
// file access for damaging log files on purpose.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "group/local_group_log.h"

namespace grouter::group::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "group-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
    EXPECT_FALSE(path_.empty());
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

using Entries = std::vector<std::pair<std::uint64_t, std::string>>;

// Records what the log hands to the state machine.
struct Recorder {
  Entries applied;
  std::vector<Snapshot> restored;

  ApplyCallbacks callbacks() {
    return ApplyCallbacks{
        [this](const Snapshot& s) { restored.push_back(s); },
        [this](std::uint64_t index, std::string_view entry) {
          applied.emplace_back(index, std::string(entry));
        },
    };
  }
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Entries 1..n with distinct payloads of different lengths.
inline Entries numbered_entries(std::uint64_t n) {
  Entries out;
  for (std::uint64_t i = 1; i <= n; ++i) {
    out.emplace_back(i, "entry-" + std::to_string(i) + std::string(i * 3, 'x'));
  }
  return out;
}

// Opens a log in `dir`, proposes `entries` and closes it.
inline void write_log(const TempDir& dir, const Entries& entries) {
  Recorder recorder;
  auto log = LocalGroupLog::open(dir.path(), recorder.callbacks(), Logger());
  ASSERT_TRUE(log.has_value()) << log.error().message();
  for (const auto& [index, bytes] : entries) {
    auto proposed = (*log)->propose(bytes);
    ASSERT_TRUE(proposed.has_value()) << proposed.error().message();
    ASSERT_EQ(*proposed, index);
  }
}

}  // namespace grouter::group::testing
