// The client side of the MySQL/MariaDB protocol as a pure state machine: the server's bytes go in,
// the bytes to send and events come out. No sockets, clocks or threads (SqlConnection drives it on
// libuv). Every byte layout is protocol/mysql_wire's.
//
//   greeting ──► auth (HandshakeResponse41, at most one AuthSwitchRequest) ──► ready
//   ready ── begin_query ──► response: OK | ERR | column count, definitions, [EOF], rows, EOF/OK
//         ◄── kQueryDone ──┘
//   any broken rule, bound or fatal ERR ──► failed (sticky; the connection must be closed)
//
// Authentication: mysql_native_password, also after an AuthSwitchRequest to it, and
// caching_sha2_password's fast path (cached account); its full authentication (TLS or RSA) and
// every other plugin fail with kProtocol. Capabilities: CLIENT_PROTOCOL_41, CLIENT_DEPRECATE_EOF
// when the server has it (the old EOF otherwise), never CLIENT_SSL, multi-statements, multi-results
// or LOCAL INFILE.
//
// Bounds: a handshake message over kMaxHandshakePayloadBytes, a result (all its frames) over
// max_result_bytes, or more than kMaxColumns columns fail with kProtocol.
//
// Not thread-safe; one instance per connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "metadata/sql/result_set.h"
#include "metadata/sql/sql_error.h"

namespace grouter::metadata::sql {

class ClientProtocol {
 public:
  static constexpr std::size_t kMaxHandshakePayloadBytes = 64 * 1024;
  static constexpr std::uint64_t kMaxColumns = 4096;
  static constexpr std::uint8_t kCharsetUtf8mb4GeneralCi = 45;

  enum class Event {
    kNeedMoreBytes,  // nothing complete: receive() more
    kConnected,      // authenticated; server_info() is set; ready() for a query
    kQueryDone,      // take_result() holds the result or the server's ERR; ready() again
    kFailed,         // failure() says why; close the connection
  };

  ClientProtocol(std::string user, std::string password, std::size_t max_result_bytes);

  // Buffers bytes the server sent.
  void receive(std::span<const std::uint8_t> bytes);
  // Works through the buffered bytes up to the next event. Call again after kConnected and
  // kQueryDone: more bytes may be buffered.
  [[nodiscard]] Event advance();

  [[nodiscard]] bool ready() const { return state_ == State::kReady; }
  [[nodiscard]] bool failed() const { return state_ == State::kFailed; }
  // Starts a COM_QUERY; only when ready().
  void begin_query(std::string_view sql);

  // Bytes to send to the server, in order; empties the output.
  [[nodiscard]] std::vector<std::uint8_t> take_output();
  [[nodiscard]] const ServerInfo& server_info() const { return server_info_; }
  // After kQueryDone.
  [[nodiscard]] std::expected<ResultSet, SqlError> take_result();
  // After kFailed.
  [[nodiscard]] const SqlError& failure() const { return failure_; }

 private:
  enum class State {
    kAwaitGreeting,
    kAwaitAuthResult,
    kReady,
    kAwaitResponse,
    kColumns,
    kColumnsEof,
    kRows,
    kFailed,
  };
  using Payload = std::span<const std::uint8_t>;

  // Each handler returns the event to report, or nullopt to go on with the next payload.
  std::optional<Event> on_greeting(Payload payload);
  std::optional<Event> on_auth_result(Payload payload);
  std::optional<Event> on_auth_switch(Payload payload);
  std::optional<Event> on_auth_more_data(Payload payload);
  std::optional<Event> on_response(Payload payload);
  std::optional<Event> on_column(Payload payload);
  std::optional<Event> on_columns_eof(Payload payload);
  std::optional<Event> on_row(Payload payload);
  std::optional<Event> on_unsolicited(Payload payload);

  std::optional<Event> send_auth_reply(std::string_view plugin, Payload nonce, bool switched);
  std::optional<Event> finish_result(std::uint16_t warnings, std::uint16_t status_flags);
  std::optional<Event> finish_with_server_error(Payload payload);
  Event fail(SqlError::Kind kind, std::string message);
  Event fail_server(Payload payload);
  Event fail_malformed(std::string_view what, std::error_code ec);
  void send(std::span<const std::uint8_t> payload);
  [[nodiscard]] bool in_result() const;

  const std::string user_;
  const std::string password_;
  const std::size_t max_result_bytes_;

  State state_ = State::kAwaitGreeting;
  std::uint32_t capabilities_ = 0;  // agreed: what we asked for and the server has
  std::uint8_t sequence_id_ = 0;    // of the next frame, either direction
  bool auth_switched_ = false;
  std::string auth_plugin_;
  ServerInfo server_info_;

  std::vector<std::uint8_t> input_;
  std::size_t input_offset_ = 0;  // bytes of input_ already consumed
  std::vector<std::uint8_t> output_;

  ResultSet result_;
  std::uint64_t columns_expected_ = 0;
  std::size_t result_bytes_ = 0;
  std::optional<std::expected<ResultSet, SqlError>> done_;
  SqlError failure_;
};

}  // namespace grouter::metadata::sql
