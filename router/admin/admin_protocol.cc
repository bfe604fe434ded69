// The admin session's handshake and command phase.
#include "router/admin/admin_protocol.h"

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/command.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/lenenc.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/scramble.h"
#include "protocol/mysql_wire/server_greeting.h"
#include "router/admin/result_encoding.h"

namespace grouter::admin {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = wire::capability;

constexpr std::string_view kNativePlugin = "mysql_native_password";
constexpr std::uint16_t kStatus = wire::server_status::kAutocommit;
constexpr std::uint8_t kUtf8mb4GeneralCi = 45;
constexpr std::size_t kMaxHandshakeBytes = 64 * 1024;

}  // namespace

std::uint32_t admin_capabilities() {
  return cap::kLongPassword | cap::kFoundRows | cap::kLongFlag | cap::kConnectWithDb |
         cap::kProtocol41 | cap::kInteractive | cap::kTransactions | cap::kSecureConnection |
         cap::kMultiResults | cap::kPluginAuth | cap::kConnectAttrs | cap::kPluginAuthLenencData |
         cap::kIgnoreSigpipe;
}

AdminProtocol::AdminProtocol(AdminExecutor& executor, const AdminAccount& account, AdminSink& sink,
                             std::uint32_t connection_id, std::vector<std::uint8_t> nonce,
                             std::string client_host, std::size_t max_packet)
    : executor_(executor),
      account_(account),
      sink_(sink),
      nonce_(std::move(nonce)),
      max_packet_(max_packet) {
  session_.connection_id = connection_id;
  session_.host = std::move(client_host);
}

AdminProtocol::~AdminProtocol() {
  *session_.alive = false;
}

void AdminProtocol::start() {
  wire::ServerGreeting greeting;
  greeting.server_version = executor_.facts().server_version;
  greeting.connection_id = session_.connection_id;
  greeting.nonce = nonce_;
  greeting.capabilities = admin_capabilities();
  greeting.charset = kUtf8mb4GeneralCi;
  greeting.status_flags = kStatus;
  greeting.auth_plugin_name = std::string(kNativePlugin);
  std::vector<std::uint8_t> payload;
  wire::append_server_greeting(payload, greeting);
  sequence_ = 0;
  send_payloads({payload});
  phase_ = Phase::kResponse;
}

bool AdminProtocol::wants_input() const {
  return phase_ != Phase::kEnded && input_.size() < max_packet_ + wire::kFrameHeaderSize &&
         sink_.has_room();
}

void AdminProtocol::on_bytes(std::span<const std::uint8_t> bytes) {
  if (phase_ == Phase::kEnded) return;
  input_.insert(input_.end(), bytes.begin(), bytes.end());
  pump();
}

void AdminProtocol::resume() {
  pump();
}

void AdminProtocol::pump() {
  if (pumping_) return;
  pumping_ = true;
  while (phase_ != Phase::kEnded && !running_ && sink_.has_room()) {
    auto header = wire::decode_frame_header(input_);
    if (!header) break;
    const std::size_t limit = phase_ == Phase::kCommand ? max_packet_ : kMaxHandshakeBytes;
    if (header->payload_size > limit) {
      end(SqlError{1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes"},
          "a packet of " + std::to_string(header->payload_size) + " bytes");
      break;
    }
    auto frame = wire::decode_frame(input_);
    if (!frame) break;
    const std::size_t size = frame->size();
    const std::uint8_t sequence_id = frame->header.sequence_id;
    std::vector<std::uint8_t> payload(frame->payload.begin(), frame->payload.end());
    input_.erase(input_.begin(), input_.begin() + static_cast<std::ptrdiff_t>(size));
    on_frame(sequence_id, payload);
  }
  pumping_ = false;
}

void AdminProtocol::send_payloads(const std::vector<std::vector<std::uint8_t>>& payloads) {
  std::vector<std::uint8_t> bytes;
  for (const auto& p : payloads) wire::append_frames(bytes, sequence_, p);
  sink_.send(std::move(bytes));
}

void AdminProtocol::send_error(const SqlError& error) {
  std::vector<std::uint8_t> payload;
  // Before the client's capabilities are known, MySQL still sends the SQL state.
  wire::append_err_payload(payload, wire::ErrPacket{error.code, error.sql_state, error.message},
                           capabilities_ != 0 ? capabilities_ : cap::kProtocol41);
  send_payloads({payload});
}

void AdminProtocol::end(const SqlError& error, const std::string& reason) {
  send_error(error);
  phase_ = Phase::kEnded;
  input_.clear();
  sink_.end(reason);
}

void AdminProtocol::on_frame(std::uint8_t sequence_id, std::span<const std::uint8_t> payload) {
  if (phase_ == Phase::kCommand) {
    if (sequence_id != 0) {
      return end(SqlError{1156, "08S01", "Got packets out of order"}, "packets out of order");
    }
    sequence_ = 1;
    return on_command(payload);
  }
  if (sequence_id != sequence_) {
    return end(SqlError{1043, "08S01", "Bad handshake"}, "bad handshake: packets out of order");
  }
  sequence_ = static_cast<std::uint8_t>(sequence_id + 1);
  if (phase_ == Phase::kResponse) return on_response(payload);
  if (phase_ == Phase::kAuthSwitch) return check_password(payload);
}

void AdminProtocol::on_response(std::span<const std::uint8_t> payload) {
  if (wire::is_ssl_request(payload)) {
    return end(SqlError{1043, "08S01", "Bad handshake"},
               "the client asked for TLS, which the admin port does not offer");
  }
  auto response = wire::decode_handshake_response(payload);
  if (!response) return end(SqlError{1043, "08S01", "Bad handshake"}, "bad handshake");
  capabilities_ = response->capabilities & admin_capabilities();
  session_.user = response->user;
  if ((response->capabilities & cap::kConnectWithDb) != 0) schema_ = response->schema;
  const bool other_plugin = (response->capabilities & cap::kPluginAuth) != 0 &&
                            response->auth_plugin_name != kNativePlugin;
  if (other_plugin) {
    wire::AuthSwitchRequest request{std::string(kNativePlugin), nonce_};
    request.plugin_data.push_back(0);
    std::vector<std::uint8_t> out;
    wire::append_auth_switch_request(out, request);
    send_payloads({out});
    phase_ = Phase::kAuthSwitch;
    return;
  }
  check_password(response->auth_response);
}

void AdminProtocol::check_password(std::span<const std::uint8_t> reply) {
  const bool proven =
      session_.user == account_.user &&
      (account_.stored_hash.empty()
           ? reply.empty()
           : !reply.empty() && wire::native_password_matches(reply, nonce_, account_.stored_hash));
  if (!proven) {
    return end(SqlError{1045, "28000",
                        "Access denied for user '" + session_.user + "'@'" + session_.host +
                            "' (using password: " + (reply.empty() ? "NO" : "YES") + ")"},
               "access denied for user '" + session_.user + "'");
  }
  phase_ = Phase::kCommand;
  if (!schema_.empty()) {
    const Reply used = executor_.use(schema_, session_);
    if (const auto* error = std::get_if<SqlError>(&used)) {
      return end(*error, "unknown database at login");
    }
  }
  send_payloads(routing::ok_reply(kStatus, capabilities_));
}

void AdminProtocol::reply(const Reply& r) {
  if (const auto* ok = std::get_if<OkReply>(&r)) {
    wire::OkPacket packet;
    packet.affected_rows = ok->affected_rows;
    packet.status_flags = kStatus;
    packet.warnings = ok->warnings;
    std::vector<std::uint8_t> payload;
    wire::append_ok_payload(payload, packet, capabilities_);
    // The info as MariaDB servers send it, length-encoded: libmariadb (the mariadb CLI) reads it
    // so, and PyMySQL, libmysqlclient read the rest of the packet (the session-state capability,
    // which would change that, is not offered).
    if (!ok->info.empty()) {
      wire::append_lenenc_string(
          payload,
          std::span(reinterpret_cast<const std::uint8_t*>(ok->info.data()), ok->info.size()));
    }
    send_payloads({payload});
  } else if (const auto* error = std::get_if<SqlError>(&r)) {
    send_error(*error);
  } else {
    send_payloads(encode_table(std::get<Table>(r), kStatus, capabilities_));
  }
}

void AdminProtocol::on_command(std::span<const std::uint8_t> payload) {
  if (payload.empty()) {
    return end(SqlError{1047, "08S01", "Unknown command"}, "an empty command packet");
  }
  const auto command = static_cast<wire::Command>(payload[0]);
  const std::string_view text(reinterpret_cast<const char*>(payload.data()) + 1,
                              payload.size() - 1);
  switch (command) {
    case wire::Command::kQuit:
      phase_ = Phase::kEnded;
      input_.clear();
      sink_.end("COM_QUIT");
      return;
    case wire::Command::kPing:
    case wire::Command::kResetConnection:
      if (command == wire::Command::kResetConnection) session_.bootstrap_group = false;
      return send_payloads(routing::ok_reply(kStatus, capabilities_));
    case wire::Command::kInitDb:
      return reply(executor_.use(std::string(text), session_));
    case wire::Command::kFieldList:
    case wire::Command::kSetOption: {
      std::vector<std::uint8_t> eof;
      wire::append_eof_payload(eof, wire::EofPacket{0, kStatus}, capabilities_);
      return send_payloads({eof});
    }
    case wire::Command::kStatistics: {
      const std::string stats = "grouter admin port; " + executor_.facts().server_version;
      return send_payloads({std::vector<std::uint8_t>(stats.begin(), stats.end())});
    }
    case wire::Command::kQuery: {
      running_ = true;
      const std::weak_ptr<bool> alive = session_.alive;
      executor_.execute(text, session_, [this, alive](Reply r) {
        if (alive.expired() || !*alive.lock()) return;
        running_ = false;
        reply(r);
        pump();
      });
      return;
    }
    default:
      return send_error(SqlError{1047, "08S01",
                                 "Unknown command: grouter's admin port runs COM_QUERY, "
                                 "COM_INIT_DB, COM_PING and COM_QUIT"});
  }
}

}  // namespace grouter::admin
