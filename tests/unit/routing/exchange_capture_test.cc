// The exchange tracker on whole sessions captured from MariaDB 10.11 (the relay logs of
// tests/unit/protocol/capture, see CAPTURES.md there): after the login, every client frame and
// every server frame of the command phase goes through the tracker, which must follow them all,
// complete each reply exactly once, and be idle whenever the client sent its next command.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "routing/exchange_tracker.h"

#ifndef GROUTER_CAPTURE_LOGS
#error "GROUTER_CAPTURE_LOGS must name tests/unit/protocol/capture/logs"
#endif

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
using Bytes = std::vector<std::uint8_t>;

struct CapturedFrame {
  bool from_client = false;
  Bytes payload;
};

Bytes from_hex(const std::string& hex) {
  Bytes out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

// The frames of a relay log (lines "C>S <hex>" / "S>C <hex>"), in order, each direction's chunks
// joined and split at frame headers.
std::vector<CapturedFrame> read_frames(const std::string& name) {
  std::ifstream in(std::string(GROUTER_CAPTURE_LOGS) + "/" + name);
  EXPECT_TRUE(in) << name;
  Bytes buffers[2];
  std::vector<CapturedFrame> frames;
  std::string direction, hex;
  while (in >> direction >> hex) {
    const int side = direction == "C>S" ? 0 : 1;
    Bytes& buf = buffers[side];
    const Bytes chunk = from_hex(hex);
    buf.insert(buf.end(), chunk.begin(), chunk.end());
    while (buf.size() >= wire::kFrameHeaderSize) {
      const std::size_t size = buf[0] | buf[1] << 8 | buf[2] << 16;
      if (buf.size() < wire::kFrameHeaderSize + size) break;
      frames.push_back({side == 0, Bytes(buf.begin() + wire::kFrameHeaderSize,
                                         buf.begin() + wire::kFrameHeaderSize + size)});
      buf.erase(buf.begin(), buf.begin() + wire::kFrameHeaderSize + size);
    }
  }
  return frames;
}

struct Replay {
  std::size_t commands = 0;
  std::size_t replies_due = 0;
  std::size_t replies_complete = 0;
  std::size_t infile_requests = 0;
  std::size_t progress_reports_seen = 0;  // reported as a reply's end: must stay 0
  std::size_t cursors_opened = 0;
  std::vector<std::uint16_t> errors;  // of the replies that ended with an ERR
};

// Replays NAME's command phase through TRACKER (made from the agreed capabilities).
Replay replay(const std::string& name, std::optional<ExchangeTracker>& tracker) {
  const auto frames = read_frames(name);
  Replay r;
  if (frames.size() < 3) {
    ADD_FAILURE() << name << ": too few frames";
    return r;
  }
  auto greeting = wire::decode_server_greeting(frames[0].payload);
  auto response = wire::decode_handshake_response(frames[1].payload);
  if (!greeting || !response) {
    ADD_FAILURE() << name << ": no greeting and response";
    return r;
  }
  const std::uint32_t caps = greeting->capabilities & response->capabilities;
  const std::uint32_t mariadb_caps =
      wire::has_mariadb_extended_capabilities(caps)
          ? greeting->mariadb_capabilities & response->mariadb_capabilities
          : 0;
  tracker.emplace(caps, mariadb_caps);
  std::size_t i = 2;
  while (i < frames.size() && (frames[i].from_client || frames[i].payload[0] != 0x00)) ++i;
  if (i == frames.size()) {
    ADD_FAILURE() << name << ": no login OK";
    return r;
  }
  EXPECT_TRUE(tracker->on_login_ok(frames[i].payload, response->schema));
  for (++i; i < frames.size(); ++i) {
    SCOPED_TRACE(name + " frame " + std::to_string(i));
    if (frames[i].from_client) {
      const bool was_idle = tracker->idle();
      auto step = tracker->on_client_payload(frames[i].payload);
      if (!step) {
        ADD_FAILURE() << step.error().message();
        return r;
      }
      if (step->kind == ClientPayloadKind::kCommand) {
        EXPECT_TRUE(was_idle);  // the captured clients waited for each reply
        ++r.commands;
        if (step->command.expects_response) ++r.replies_due;
      }
      continue;
    }
    auto progress = tracker->on_server_payload(frames[i].payload);
    if (!progress) {
      ADD_FAILURE() << progress.error().message() << ": " << tracker->failure();
      return r;
    }
    if (*progress == ResponseProgress::kInfileRequested) ++r.infile_requests;
    if (*progress != ResponseProgress::kComplete) continue;
    ++r.replies_complete;
    const ExchangeOutcome& outcome = tracker->last_outcome();
    if (outcome.error_code == 0xffff) ++r.progress_reports_seen;
    if (outcome.error_code != 0) r.errors.push_back(outcome.error_code);
    if (outcome.cursor_opened) ++r.cursors_opened;
  }
  return r;
}

TEST(ExchangeCaptureTest, CliTextResultSet) {
  std::optional<ExchangeTracker> t;
  const Replay r = replay("cli-0.log", t);
  EXPECT_EQ(r.commands, 2u);  // the query, COM_QUIT
  EXPECT_EQ(r.replies_complete, r.replies_due);
  EXPECT_EQ(t->last_outcome().rows, 2u);
  EXPECT_TRUE(t->ended());
}

TEST(ExchangeCaptureTest, CliError) {
  std::optional<ExchangeTracker> t;
  const Replay r = replay("cli-2.log", t);
  EXPECT_EQ(r.replies_complete, r.replies_due);
  EXPECT_EQ(t->facts().last_error_code, 1146);
}

TEST(ExchangeCaptureTest, CliSessionTracking) {
  std::optional<ExchangeTracker> t;
  const Replay r = replay("cli-4.log", t);
  EXPECT_EQ(r.replies_complete, r.replies_due);
  EXPECT_GE(r.commands, 5u);
  EXPECT_EQ(t->facts().schema, "mysql");
  EXPECT_FALSE(t->broken());
}

// capture_client.py: session tracking, a prepared statement with a binary result set, COM_STMT_*,
// COM_PING, COM_STATISTICS, COM_SET_OPTION, COM_PROCESS_KILL, COM_RESET_CONNECTION, and
// COM_CHANGE_USER with an auth switch.
void expect_scripted_session(const std::string& log) {
  std::optional<ExchangeTracker> t;
  const Replay r = replay(log, t);
  ASSERT_TRUE(t);
  EXPECT_EQ(r.replies_complete, r.replies_due);
  EXPECT_EQ(r.commands, 20u);
  EXPECT_EQ(r.errors, (std::vector<std::uint16_t>{1094}));  // the kill of an unknown thread
  EXPECT_FALSE(t->facts().last_gtid.empty());
  EXPECT_EQ(t->statements().size(), 0u);
  EXPECT_TRUE(t->ended());
}

TEST(ExchangeCaptureTest, ScriptedSessionWithEof) {
  expect_scripted_session("script-eof.log");
}

TEST(ExchangeCaptureTest, ScriptedSessionWithDeprecateEof) {
  expect_scripted_session("script-deprecate-eof.log");
}

// capture_exchanges.py: multi-statements with an ERR amid them, an ERR after a row, LOCAL INFILE
// (with MariaDB's progress reports) accepted, empty and inside multi-statements, COM_FIELD_LIST, a
// cursor fetched to its last row, a procedure with an OUT parameter, PREPARE + EXECUTE of statement
// -1 (whose result skips the cached metadata), an unknown statement, COM_DEBUG.
void expect_exchanges(const std::string& log) {
  std::optional<ExchangeTracker> t;
  const Replay r = replay(log, t);
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->broken()) << t->failure();
  EXPECT_EQ(r.commands, 25u);
  EXPECT_EQ(r.replies_complete, r.replies_due);
  EXPECT_EQ(r.replies_due, 21u);  // all but the three COM_STMT_CLOSE and COM_QUIT
  EXPECT_EQ(r.infile_requests, 3u);
  EXPECT_EQ(r.progress_reports_seen, 0u);
  EXPECT_EQ(r.errors, (std::vector<std::uint16_t>{1146, 1242, 1421, 1243}));
  EXPECT_EQ(r.cursors_opened, 1u);
  EXPECT_EQ(t->statements().size(), 0u);
  EXPECT_EQ(t->statements().open_cursors(), 0u);
  EXPECT_FALSE(t->facts().last_gtid.empty());
  EXPECT_EQ(t->facts().schema, "t");
  EXPECT_TRUE(t->ended());
}

TEST(ExchangeCaptureTest, ExchangesWithEof) {
  expect_exchanges("exchanges-eof.log");
}

TEST(ExchangeCaptureTest, ExchangesWithDeprecateEof) {
  expect_exchanges("exchanges-deprecate-eof.log");
}

}  // namespace
}  // namespace grouter::routing
