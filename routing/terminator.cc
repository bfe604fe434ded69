// The terminated session's handshake and byte path.
#include "routing/terminator.h"

#include <algorithm>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/codec_error.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "routing/error_codes.h"
#include "routing/server_leg.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = wire::capability;

// What an idle session keeps of a buffer that held a large burst (memory per idle session).
constexpr std::size_t kKeptBufferBytes = 4096;

// What grouter never offers the client: compression (it would have to inflate every frame),
// and TLS unless the route offers it. Everything else is the storage node's, so that the command
// phase means the same on both legs.
constexpr std::uint32_t kNeverOffered = cap::kCompress | cap::kZstdCompression | cap::kSsl |
                                        cap::kSslVerifyServerCert | cap::kRememberOptions;

}  // namespace

SessionTerminator::SessionTerminator(const SessionConfig& config,
                                     std::shared_ptr<const TlsContexts> tls,
                                     std::string route_name, std::string server_host)
    : config_(config),
      tls_(std::move(tls)),
      route_name_(std::move(route_name)),
      server_host_(std::move(server_host)) {}

SessionTerminator::~SessionTerminator() = default;

bool SessionTerminator::transparent() const {
  return phase_ == Phase::kCommand && !client_tls_ && !server_tls_;
}

void SessionTerminator::emit_client(std::span<const std::uint8_t> bytes) {
  if (client_tls_ && client_tls_->established()) {
    if (!client_tls_->write(bytes)) reason_ = client_tls_->error();
    client_tls_->take_output(out_->to_client);
    return;
  }
  out_->to_client.insert(out_->to_client.end(), bytes.begin(), bytes.end());
}

void SessionTerminator::emit_server(std::span<const std::uint8_t> bytes) {
  if (server_tls_ && server_tls_->established()) {
    if (!server_tls_->write(bytes)) reason_ = server_tls_->error();
    server_tls_->take_output(out_->to_server);
    return;
  }
  out_->to_server.insert(out_->to_server.end(), bytes.begin(), bytes.end());
}

void SessionTerminator::send_to_client(std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> frames;
  wire::append_frames(frames, client_sequence_, payload);
  emit_client(frames);
}

void SessionTerminator::send_to_server(std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> frames;
  wire::append_frames(frames, server_sequence_, payload);
  emit_server(frames);
}

SessionTerminator::Event SessionTerminator::fail_client(std::uint16_t code, const char* sql_state,
                                                        const std::string& message, Event event) {
  reason_ = std::to_string(code) + " " + message;
  std::vector<std::uint8_t> payload;
  // Before the client's HandshakeResponse its capabilities are unknown; MySQL servers then
  // still send the SQL state, which every 4.1+ client reads.
  wire::append_err_payload(payload, wire::ErrPacket{code, sql_state, message}, cap::kProtocol41);
  send_to_client(payload);
  phase_ = Phase::kEnded;
  return event;
}

// --- bytes in ------------------------------------------------------------------------------

SessionTerminator::Event SessionTerminator::on_server_bytes(std::span<const std::uint8_t> bytes,
                                                            TerminatorOutput& out) {
  return take_bytes(false, bytes, out);
}

SessionTerminator::Event SessionTerminator::on_client_bytes(std::span<const std::uint8_t> bytes,
                                                            TerminatorOutput& out) {
  return take_bytes(true, bytes, out);
}

// Decrypts what one side sent (when its leg has TLS, finishing the TLS handshake first) into
// that side's plaintext buffer, then hands its frames on.
SessionTerminator::Event SessionTerminator::take_bytes(bool from_client,
                                                       std::span<const std::uint8_t> bytes,
                                                       TerminatorOutput& out) {
  out_ = &out;
  if (phase_ == Phase::kEnded) return Event::kDone;
  TlsChannel* tls = from_client ? client_tls_.get() : server_tls_.get();
  std::vector<std::uint8_t>& in = from_client ? client_in_ : server_in_;
  if (tls == nullptr) {
    in.insert(in.end(), bytes.begin(), bytes.end());
    return drain_frames(from_client);
  }
  tls->feed(bytes);
  if (!tls->established()) {
    const Event event = from_client ? client_tls_step() : server_tls_step();
    const Phase handshaking = from_client ? Phase::kClientTls : Phase::kServerTls;
    if (phase_ == handshaking || event != Event::kContinue) return event;
  }
  if (!tls->read(in)) {
    reason_ = (from_client ? "client: " : "storage node " + server_host_ + ": ") + tls->error();
    phase_ = Phase::kEnded;
    return Event::kDone;
  }
  return drain_frames(from_client);
}

// The command phase: what one side sent goes to the other, or to the caller after
// hand_over_command_phase().
void SessionTerminator::pass_command_bytes(bool from_client) {
  std::vector<std::uint8_t>& in = from_client ? client_in_ : server_in_;
  if (in.empty()) return;
  if (hand_over_) {
    auto& plain = from_client ? out_->client_plain : out_->server_plain;
    plain.insert(plain.end(), in.begin(), in.end());
    in.clear();
    if (in.capacity() > kKeptBufferBytes) std::vector<std::uint8_t>().swap(in);  // idle: small
    return;
  }
  std::vector<std::uint8_t> bytes;
  bytes.swap(in);
  if (from_client) {
    emit_server(bytes);
  } else {
    emit_client(bytes);
  }
}

void SessionTerminator::send_client_plain(std::span<const std::uint8_t> bytes,
                                          TerminatorOutput& out) {
  out_ = &out;
  emit_client(bytes);
}

void SessionTerminator::send_server_plain(std::span<const std::uint8_t> bytes,
                                          TerminatorOutput& out) {
  out_ = &out;
  emit_server(bytes);
}

// Hands every complete frame waiting on one side to its handler; in the command phase, passes
// the bytes on as they are.
SessionTerminator::Event SessionTerminator::drain_frames(bool from_client) {
  for (;;) {
    std::vector<std::uint8_t>& in = from_client ? client_in_ : server_in_;
    if (phase_ == Phase::kCommand) {
      pass_command_bytes(from_client);
      return Event::kContinue;
    }
    if (phase_ == Phase::kEnded) return Event::kDone;
    if (in.empty()) return Event::kContinue;
    auto header = wire::decode_frame_header(in);
    if (header && header->payload_size > kMaxHandshakePayload) {
      if (from_client) {
        return fail_client(kErrHandshake, "08S01", "Bad handshake", Event::kClientFault);
      }
      return fail_client(kErrNoDestination, "HY000",
                         "storage node " + server_host_ + " sent a handshake packet of " +
                             std::to_string(header->payload_size) + " bytes",
                         Event::kDone);
    }
    auto frame = wire::decode_frame(in);
    if (!frame) return Event::kContinue;  // kNeedMoreBytes: the rest comes with a later read
    const std::size_t size = frame->size();
    const std::uint8_t sequence_id = frame->header.sequence_id;
    std::vector<std::uint8_t> payload(frame->payload.begin(), frame->payload.end());
    in.erase(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(size));
    const Event event = from_client ? handle_client_frame(sequence_id, payload)
                                    : handle_server_frame(payload);
    if (event != Event::kContinue) {
      if (event == Event::kAuthenticated) {
        // Whatever followed the OK (nothing, normally) belongs to the command phase.
        pass_command_bytes(false);
        pass_command_bytes(true);
      }
      return event;
    }
    if (phase_ == Phase::kClientTls || phase_ == Phase::kServerTls) return Event::kContinue;
  }
}

// --- the storage node's side ----------------------------------------------------------------

SessionTerminator::Event SessionTerminator::handle_server_frame(
    std::span<const std::uint8_t> payload) {
  switch (phase_) {
    case Phase::kServerGreeting:
      return on_greeting(payload);
    case Phase::kServerAuth:
      return on_server_auth_reply(payload);
    default:
      return fail_client(kErrNoDestination, "HY000",
                         "storage node " + server_host_ + " sent a packet out of turn",
                         Event::kDone);
  }
}

SessionTerminator::Event SessionTerminator::on_greeting(std::span<const std::uint8_t> payload) {
  if (!payload.empty() && payload[0] == wire::kErrMarker) {
    // The node refused before greeting (its own max_connections, a blocked host): pass it on.
    auto err = wire::decode_err_payload(payload, 0);
    reason_ = "storage node " + server_host_ + " refused: " + (err ? err->message : "ERR");
    send_to_client(payload);
    phase_ = Phase::kEnded;
    return Event::kDone;
  }
  auto greeting = wire::decode_server_greeting(payload);
  if (!greeting || (greeting->capabilities & cap::kProtocol41) == 0) {
    return fail_client(kErrNoDestination, "HY000",
                       "storage node " + server_host_ + " sent no MySQL 4.1+ greeting",
                       Event::kDone);
  }
  greeting_ = std::move(*greeting);
  const bool offer_tls = tls_ && tls_->accept && config_.client_mode() != ClientSslMode::kDisabled;
  offered_capabilities_ = (greeting_.capabilities & ~kNeverOffered) | cap::kPluginAuth |
                          cap::kSecureConnection | (offer_tls ? cap::kSsl : 0);
  wire::ServerGreeting mine = greeting_;
  mine.capabilities = offered_capabilities_;
  // Metadata caching keys on statement ids of one server; a session may use two.
  mine.mariadb_capabilities &= ~wire::mariadb_capability::kCacheMetadata;
  mine.auth_plugin_name = std::string(kNativePlugin);
  std::vector<std::uint8_t> out;
  wire::append_server_greeting(out, mine);
  client_sequence_ = 0;
  send_to_client(out);
  phase_ = Phase::kClientResponse;
  return Event::kContinue;
}

SessionTerminator::Event SessionTerminator::start_server_login() {
  const ServerTls decision = decide_server_tls(
      config_.server_mode(), (greeting_.capabilities & cap::kSsl) != 0, client_tls_ != nullptr);
  if (decision == ServerTls::kNodeLacksTls) {
    return fail_client(kErrNoDestination, "HY000",
                       "SSL connection error: storage node " + server_host_ +
                           " does not support TLS, which server_ssl_mode of route '" +
                           route_name_ + "' requires",
                       Event::kDone);
  }
  server_sequence_ = 1;
  if (decision == ServerTls::kPlain) {
    send_handshake_response();
    phase_ = Phase::kServerAuth;
    return Event::kContinue;
  }
  std::vector<std::uint8_t> payload;
  wire::append_ssl_request(payload,
                           ssl_request_of(server_leg_response(response_, greeting_, true)));
  send_to_server(payload);
  if (tls_ && tls_->connect) {
    server_tls_ = TlsChannel::connecting(tls_->connect.get(), server_host_, tls_->verify);
  }
  if (!server_tls_) {
    return fail_client(kErrNoDestination, "HY000", "SSL connection error: cannot start TLS",
                       Event::kDone);
  }
  phase_ = Phase::kServerTls;
  return server_tls_step();
}

SessionTerminator::Event SessionTerminator::server_tls_step() {
  const auto progress = server_tls_->handshake();
  server_tls_->take_output(out_->to_server);
  if (progress == TlsChannel::Progress::kFailed) {
    return fail_client(kErrNoDestination, "HY000",
                       "SSL connection error: storage node " + server_host_ + ": " +
                           server_tls_->error(),
                       Event::kDone);
  }
  if (progress == TlsChannel::Progress::kPending) return Event::kContinue;
  send_handshake_response();
  phase_ = Phase::kServerAuth;
  return Event::kContinue;
}

void SessionTerminator::send_handshake_response() {
  std::vector<std::uint8_t> payload;
  const bool tls = server_tls_ != nullptr;
  wire::append_handshake_response(payload, server_leg_response(response_, greeting_, tls));
  send_to_server(payload);
}

SessionTerminator::Event SessionTerminator::on_server_auth_reply(
    std::span<const std::uint8_t> payload) {
  if (payload.empty()) {
    return fail_client(kErrNoDestination, "HY000",
                       "storage node " + server_host_ + " sent an empty packet", Event::kDone);
  }
  if (payload[0] == wire::kOkMarker) {
    login_ok_.assign(payload.begin(), payload.end());
    send_to_client(payload);
    phase_ = Phase::kCommand;
    return Event::kAuthenticated;
  }
  if (payload[0] == wire::kErrMarker) {
    auto err = wire::decode_err_payload(payload, cap::kProtocol41);
    reason_ = err ? std::to_string(err->error_code) + " " + err->message : "ERR";
    send_to_client(payload);
    phase_ = Phase::kEnded;
    return Event::kDone;
  }
  std::string plugin = "an unknown one";
  if (payload[0] == wire::kAuthSwitchMarker) {
    if (auto request = wire::decode_auth_switch_request(payload)) plugin = "'" + request->plugin_name + "'";
  }
  return fail_client(kErrNotSupportedAuth, "08004",
                     "Account '" + response_.user + "' authenticates with plugin " + plugin +
                         ", which route '" + route_name_ +
                         "' cannot use: it terminates sessions and supports "
                         "mysql_native_password only; use a route with client_ssl_mode = "
                         "PASSTHROUGH",
                     Event::kDone);
}

// --- the client's side ----------------------------------------------------------------------

SessionTerminator::Event SessionTerminator::handle_client_frame(
    std::uint8_t sequence_id, std::span<const std::uint8_t> payload) {
  if (sequence_id != client_sequence_) {
    return fail_client(kErrHandshake, "08S01", "Bad handshake", Event::kClientFault);
  }
  client_sequence_ = static_cast<std::uint8_t>(sequence_id + 1);
  switch (phase_) {
    case Phase::kClientResponse:
      return on_handshake_response(payload);
    case Phase::kClientAuthSwitch:
      response_.auth_response.assign(payload.begin(), payload.end());
      return start_server_login();
    default:
      // The client spoke out of turn (before the node's verdict).
      return fail_client(kErrHandshake, "08S01", "Bad handshake", Event::kClientFault);
  }
}

SessionTerminator::Event SessionTerminator::on_handshake_response(
    std::span<const std::uint8_t> payload) {
  if (wire::is_ssl_request(payload)) {
    if ((offered_capabilities_ & cap::kSsl) == 0 || client_tls_) {
      return fail_client(kErrHandshake, "08S01", "Bad handshake", Event::kClientFault);
    }
    std::vector<std::uint8_t> rest;
    rest.swap(client_in_);  // what followed the SSLRequest is already TLS
    return start_client_tls(rest);
  }
  auto response = wire::decode_handshake_response(payload);
  if (!response) return fail_client(kErrHandshake, "08S01", "Bad handshake", Event::kClientFault);
  response_ = std::move(*response);
  if (config_.client_mode() == ClientSslMode::kRequired && !client_tls_) {
    const bool mariadb = greeting_.server_version.find("MariaDB") != std::string::npos;
    return fail_client(mariadb ? kErrInsecureMariadb : kErrInsecureMysql, "08004",
                       "Connections using insecure transport are prohibited while "
                       "--require_secure_transport=ON.",
                       Event::kDone);
  }
  const bool other_plugin = (response_.capabilities & cap::kPluginAuth) != 0 &&
                            !response_.auth_plugin_name.empty() &&
                            response_.auth_plugin_name != kNativePlugin;
  if (other_plugin) {
    // Ask for mysql_native_password with the same nonce the storage node will check.
    wire::AuthSwitchRequest request{std::string(kNativePlugin), greeting_.nonce};
    request.plugin_data.push_back(0);
    std::vector<std::uint8_t> out;
    wire::append_auth_switch_request(out, request);
    send_to_client(out);
    phase_ = Phase::kClientAuthSwitch;
    return Event::kContinue;
  }
  return start_server_login();
}

SessionTerminator::Event SessionTerminator::start_client_tls(
    std::span<const std::uint8_t> after_request) {
  client_tls_ = TlsChannel::accepting(tls_->accept.get());
  if (!client_tls_) {
    return fail_client(kErrNoDestination, "HY000", "SSL connection error: cannot start TLS",
                       Event::kDone);
  }
  phase_ = Phase::kClientTls;
  client_tls_->feed(after_request);
  return client_tls_step();
}

SessionTerminator::Event SessionTerminator::client_tls_step() {
  const auto progress = client_tls_->handshake();
  client_tls_->take_output(out_->to_client);
  if (progress == TlsChannel::Progress::kFailed) {
    reason_ = "client: " + client_tls_->error();
    phase_ = Phase::kEnded;
    return Event::kClientFault;
  }
  if (progress == TlsChannel::Progress::kPending) return Event::kContinue;
  phase_ = Phase::kClientResponse;
  // Plaintext that arrived with the end of the handshake (the HandshakeResponse) is read by the
  // caller.
  return Event::kContinue;
}

}  // namespace grouter::routing
