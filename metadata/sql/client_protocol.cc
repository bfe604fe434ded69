// The client side of the MySQL/MariaDB protocol: handshake, authentication, COM_QUERY results.
#include "metadata/sql/client_protocol.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/codec_error.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/result_set.h"
#include "protocol/mysql_wire/scramble.h"
#include "protocol/mysql_wire/server_greeting.h"

namespace grouter::metadata::sql {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = grouter::mysql_wire::capability;

constexpr std::string_view kNativePlugin = "mysql_native_password";
constexpr std::string_view kCachingSha2Plugin = "caching_sha2_password";
constexpr std::string_view kMariadbVersionPrefix = "5.5.5-";
constexpr std::uint8_t kLocalInfileMarker = 0xfb;

// What this client asks for; the agreed set is this and the server's.
constexpr std::uint32_t kWantedCapabilities = cap::kLongFlag | cap::kProtocol41 |
                                              cap::kTransactions | cap::kSecureConnection |
                                              cap::kPluginAuth | cap::kDeprecateEof;
// What the server must have.
constexpr std::uint32_t kRequiredCapabilities = cap::kProtocol41 | cap::kSecureConnection;

}  // namespace

ClientProtocol::ClientProtocol(std::string user, std::string password, std::size_t max_result_bytes)
    : user_(std::move(user)), password_(std::move(password)), max_result_bytes_(max_result_bytes) {}

void ClientProtocol::receive(std::span<const std::uint8_t> bytes) {
  input_.insert(input_.end(), bytes.begin(), bytes.end());
}

bool ClientProtocol::in_result() const {
  return state_ == State::kAwaitResponse || state_ == State::kColumns ||
         state_ == State::kColumnsEof || state_ == State::kRows;
}

ClientProtocol::Event ClientProtocol::advance() {
  while (state_ != State::kFailed) {
    const bool handshake = state_ == State::kAwaitGreeting || state_ == State::kAwaitAuthResult;
    const std::size_t max_payload = handshake ? kMaxHandshakePayloadBytes : max_result_bytes_;
    auto frames = wire::reassemble_payload(std::span(input_).subspan(input_offset_), max_payload);
    if (!frames) {
      if (frames.error() == wire::CodecErrc::kNeedMoreBytes) {
        input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(input_offset_));
        input_offset_ = 0;
        return Event::kNeedMoreBytes;
      }
      if (frames.error() == wire::CodecErrc::kPayloadTooLarge) {
        return fail(SqlError::Kind::kProtocol,
                    "server sent a packet larger than " + std::to_string(max_payload) + " bytes");
      }
      return fail_malformed("frames", frames.error());
    }
    input_offset_ += frames->consumed;
    if (frames->first_sequence_id != sequence_id_) {
      return fail(SqlError::Kind::kProtocol, "packet out of order: sequence id " +
                                                 std::to_string(frames->first_sequence_id) +
                                                 ", expected " + std::to_string(sequence_id_));
    }
    sequence_id_ = frames->next_sequence_id;
    if (in_result()) {
      result_bytes_ += frames->consumed;
      if (result_bytes_ > max_result_bytes_) {
        return fail(SqlError::Kind::kProtocol,
                    "result larger than " + std::to_string(max_result_bytes_) + " bytes");
      }
    }
    const Payload payload(frames->payload);
    if (payload.empty()) return fail(SqlError::Kind::kProtocol, "server sent an empty packet");
    std::optional<Event> event;
    switch (state_) {
      case State::kAwaitGreeting:
        event = on_greeting(payload);
        break;
      case State::kAwaitAuthResult:
        event = on_auth_result(payload);
        break;
      case State::kReady:
        event = on_unsolicited(payload);
        break;
      case State::kAwaitResponse:
        event = on_response(payload);
        break;
      case State::kColumns:
        event = on_column(payload);
        break;
      case State::kColumnsEof:
        event = on_columns_eof(payload);
        break;
      case State::kRows:
        event = on_row(payload);
        break;
      case State::kFailed:
        break;
    }
    if (event) return *event;
  }
  return Event::kFailed;
}

void ClientProtocol::begin_query(std::string_view sql) {
  assert(state_ == State::kReady);
  result_ = ResultSet{};
  result_bytes_ = 0;
  columns_expected_ = 0;
  sequence_id_ = 0;
  std::vector<std::uint8_t> payload;
  wire::append_query(payload, wire::ComQuery{std::string(sql)}, capabilities_);
  send(payload);
  state_ = State::kAwaitResponse;
}

std::vector<std::uint8_t> ClientProtocol::take_output() {
  return std::exchange(output_, {});
}

std::expected<ResultSet, SqlError> ClientProtocol::take_result() {
  assert(done_.has_value());
  auto result = std::move(*done_);
  done_.reset();
  return result;
}

void ClientProtocol::send(std::span<const std::uint8_t> payload) {
  wire::append_frames(output_, sequence_id_, payload);
}

// --- handshake -------------------------------------------------------------------------------

std::optional<ClientProtocol::Event> ClientProtocol::on_greeting(Payload payload) {
  if (payload[0] == wire::kErrMarker) return fail_server(payload);  // e.g. 1040, 1129
  auto greeting = wire::decode_server_greeting(payload);
  if (!greeting) return fail_malformed("server greeting", greeting.error());
  if ((greeting->capabilities & kRequiredCapabilities) != kRequiredCapabilities) {
    return fail(SqlError::Kind::kProtocol, "server does not speak protocol 4.1 (capabilities " +
                                               std::to_string(greeting->capabilities) + ")");
  }
  capabilities_ = kWantedCapabilities & greeting->capabilities;
  server_info_.announced_version = greeting->server_version;
  server_info_.mariadb = wire::has_mariadb_extended_capabilities(greeting->capabilities);
  server_info_.version = greeting->server_version;
  if (server_info_.version.starts_with(kMariadbVersionPrefix)) {
    server_info_.version.erase(0, kMariadbVersionPrefix.size());
  }
  server_info_.connection_id = greeting->connection_id;
  const std::string_view plugin =
      greeting->auth_plugin_name == kCachingSha2Plugin ? kCachingSha2Plugin : kNativePlugin;
  return send_auth_reply(plugin, wire::nonce_of_plugin_data(greeting->nonce), false);
}

std::optional<ClientProtocol::Event> ClientProtocol::send_auth_reply(std::string_view plugin,
                                                                     Payload nonce, bool switched) {
  auto scramble = plugin == kCachingSha2Plugin
                      ? wire::scramble_caching_sha2_password(password_, nonce)
                      : wire::scramble_native_password(password_, nonce);
  if (!scramble) return fail_malformed("password scramble", scramble.error());
  auth_plugin_ = plugin;
  std::vector<std::uint8_t> payload;
  if (switched) {
    wire::append_auth_switch_response(payload, wire::AuthSwitchResponse{std::move(*scramble)});
  } else {
    wire::HandshakeResponse response;
    response.capabilities = capabilities_;
    response.max_packet_size =
        static_cast<std::uint32_t>(std::min<std::size_t>(max_result_bytes_, 0xffffffffu));
    response.charset = kCharsetUtf8mb4GeneralCi;
    response.user = user_;
    response.auth_response = std::move(*scramble);
    response.auth_plugin_name = std::string(plugin);
    wire::append_handshake_response(payload, response);
  }
  send(payload);
  state_ = State::kAwaitAuthResult;
  return std::nullopt;
}

std::optional<ClientProtocol::Event> ClientProtocol::on_auth_result(Payload payload) {
  switch (payload[0]) {
    case wire::kOkMarker: {
      auto ok = wire::decode_ok_payload(payload, capabilities_);
      if (!ok) return fail_malformed("OK after authentication", ok.error());
      server_info_.auth_plugin = auth_plugin_;
      state_ = State::kReady;
      return Event::kConnected;
    }
    case wire::kErrMarker:
      return fail_server(payload);
    case wire::kAuthSwitchMarker:
      return on_auth_switch(payload);
    case wire::kAuthMoreDataMarker:
      return on_auth_more_data(payload);
    default:
      return fail(SqlError::Kind::kProtocol,
                  "unexpected packet during authentication (first byte " +
                      std::to_string(payload[0]) + ")");
  }
}

std::optional<ClientProtocol::Event> ClientProtocol::on_auth_switch(Payload payload) {
  if (auth_switched_) {
    return fail(SqlError::Kind::kProtocol, "server asked for a second authentication switch");
  }
  auth_switched_ = true;
  auto request = wire::decode_auth_switch_request(payload);
  if (!request) return fail_malformed("AuthSwitchRequest", request.error());
  if (request->plugin_name != kNativePlugin && request->plugin_name != kCachingSha2Plugin) {
    return fail(SqlError::Kind::kProtocol, "authentication plugin '" + request->plugin_name +
                                               "' is not supported (only " +
                                               std::string(kNativePlugin) + ")");
  }
  return send_auth_reply(request->plugin_name, wire::nonce_of_plugin_data(request->plugin_data),
                         true);
}

std::optional<ClientProtocol::Event> ClientProtocol::on_auth_more_data(Payload payload) {
  auto more = wire::decode_auth_more_data(payload);
  if (!more) return fail_malformed("AuthMoreData", more.error());
  if (auth_plugin_ == kCachingSha2Plugin && more->data.size() == 1) {
    if (more->data[0] == wire::kCachingSha2FastAuthOk) return std::nullopt;  // OK follows
    if (more->data[0] == wire::kCachingSha2FullAuthNeeded) {
      return fail(SqlError::Kind::kProtocol,
                  "caching_sha2_password full authentication (TLS or RSA key exchange) is not "
                  "supported; use mysql_native_password for this account");
    }
  }
  return fail(SqlError::Kind::kProtocol,
              "unexpected AuthMoreData for plugin '" + auth_plugin_ + "'");
}

std::optional<ClientProtocol::Event> ClientProtocol::on_unsolicited(Payload payload) {
  if (payload[0] == wire::kErrMarker) {  // e.g. shutdown or KILL of this connection
    auto err = wire::decode_err_payload(payload, capabilities_);
    if (err) {
      return fail(
          SqlError::Kind::kConnectionLost,
          "server ended the session: " + std::to_string(err->error_code) + " " + err->message);
    }
  }
  return fail(SqlError::Kind::kProtocol, "server sent a packet while no query was running");
}

// --- query results -----------------------------------------------------------------------------

std::optional<ClientProtocol::Event> ClientProtocol::on_response(Payload payload) {
  switch (payload[0]) {
    case wire::kOkMarker: {
      auto ok = wire::decode_ok_payload(payload, capabilities_);
      if (!ok) return fail_malformed("OK", ok.error());
      result_.affected_rows = ok->affected_rows;
      result_.last_insert_id = ok->last_insert_id;
      return finish_result(ok->warnings, ok->status_flags);
    }
    case wire::kErrMarker:
      return finish_with_server_error(payload);
    case kLocalInfileMarker:
      return fail(SqlError::Kind::kProtocol, "server asked for LOCAL INFILE, which is refused");
    default:
      break;
  }
  auto count = wire::decode_column_count(payload, capabilities_, 0);
  if (!count) return fail_malformed("column count", count.error());
  if (count->count == 0 || count->count > kMaxColumns) {
    return fail(SqlError::Kind::kProtocol,
                "result with " + std::to_string(count->count) + " columns");
  }
  columns_expected_ = count->count;
  result_.columns.reserve(static_cast<std::size_t>(count->count));
  state_ = State::kColumns;
  return std::nullopt;
}

std::optional<ClientProtocol::Event> ClientProtocol::on_column(Payload payload) {
  auto column = wire::decode_column_definition(payload, 0);
  if (!column) return fail_malformed("column definition", column.error());
  result_.columns.push_back(std::move(column->name));
  if (result_.columns.size() == columns_expected_) {
    state_ = (capabilities_ & cap::kDeprecateEof) != 0 ? State::kRows : State::kColumnsEof;
  }
  return std::nullopt;
}

std::optional<ClientProtocol::Event> ClientProtocol::on_columns_eof(Payload payload) {
  if (!wire::is_end_of_rows(payload, capabilities_)) {
    return fail(SqlError::Kind::kProtocol, "expected EOF after the column definitions");
  }
  state_ = State::kRows;
  return std::nullopt;
}

std::optional<ClientProtocol::Event> ClientProtocol::on_row(Payload payload) {
  // A text row starts with a length-encoded string, which is never 0xff: this is an ERR.
  if (payload[0] == wire::kErrMarker) return finish_with_server_error(payload);
  if (wire::is_end_of_rows(payload, capabilities_)) {
    if ((capabilities_ & cap::kDeprecateEof) != 0) {
      auto ok = wire::decode_ok_payload(payload, capabilities_);
      if (!ok) return fail_malformed("OK ending the rows", ok.error());
      return finish_result(ok->warnings, ok->status_flags);
    }
    auto eof = wire::decode_eof_payload(payload, capabilities_);
    if (!eof) return fail_malformed("EOF ending the rows", eof.error());
    return finish_result(eof->warnings, eof->status_flags);
  }
  auto row = wire::decode_text_row(payload, result_.columns.size());
  if (!row) return fail_malformed("row", row.error());
  result_.rows.push_back(std::move(row->values));
  return std::nullopt;
}

std::optional<ClientProtocol::Event> ClientProtocol::finish_result(std::uint16_t warnings,
                                                                   std::uint16_t status_flags) {
  if ((status_flags & wire::server_status::kMoreResultsExist) != 0) {
    return fail(SqlError::Kind::kProtocol, "server announced more result sets (not supported)");
  }
  result_.warnings = warnings;
  result_.status_flags = status_flags;
  done_ = std::move(result_);
  result_ = ResultSet{};
  state_ = State::kReady;
  return Event::kQueryDone;
}

std::optional<ClientProtocol::Event> ClientProtocol::finish_with_server_error(Payload payload) {
  auto err = wire::decode_err_payload(payload, capabilities_);
  if (!err) return fail_malformed("ERR", err.error());
  done_ = std::unexpected(SqlError{SqlError::Kind::kServer, err->error_code,
                                   std::move(err->sql_state), std::move(err->message)});
  result_ = ResultSet{};
  state_ = State::kReady;
  return Event::kQueryDone;
}

// --- failures ----------------------------------------------------------------------------------

ClientProtocol::Event ClientProtocol::fail(SqlError::Kind kind, std::string message) {
  failure_ = make_error(kind, std::move(message));
  state_ = State::kFailed;
  output_.clear();
  return Event::kFailed;
}

ClientProtocol::Event ClientProtocol::fail_server(Payload payload) {
  auto err = wire::decode_err_payload(payload, capabilities_ | cap::kProtocol41);
  if (!err) return fail_malformed("ERR", err.error());
  failure_ = SqlError{SqlError::Kind::kServer, err->error_code, std::move(err->sql_state),
                      std::move(err->message)};
  state_ = State::kFailed;
  output_.clear();
  return Event::kFailed;
}

ClientProtocol::Event ClientProtocol::fail_malformed(std::string_view what, std::error_code ec) {
  return fail(SqlError::Kind::kProtocol,
              "malformed " + std::string(what) + " from the server: " + ec.message());
}

}  // namespace grouter::metadata::sql
