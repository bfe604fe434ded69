// grouter's login on a storage node from a client's proof, and the byte stream after it.
#include "routing/server_login.h"

#include <utility>

#include "protocol/mysql_wire/auth_messages.h"
#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/err_packet.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/handshake_response.h"
#include "protocol/mysql_wire/ok_packet.h"
#include "protocol/mysql_wire/scramble.h"
#include "routing/error_codes.h"
#include "routing/server_leg.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
namespace cap = wire::capability;

// What the scramble format and this login need whatever the client agreed.
constexpr std::uint32_t kLoginCapabilities =
    cap::kProtocol41 | cap::kSecureConnection | cap::kPluginAuth;

}  // namespace

ServerLogin::ServerLogin(LoginRequest request)
    : request_(std::move(request)), node_("storage node " + request_.host) {}

ServerLogin::~ServerLogin() = default;

ServerLogin::Event ServerLogin::fail(std::uint16_t code, const char* sql_state,
                                     std::string message) {
  error_ = LinkError{code, sql_state, std::move(message)};
  if (error_.sql_state.empty()) error_.sql_state = "HY000";
  phase_ = Phase::kFailed;
  return Event::kFailed;
}

void ServerLogin::send_payload(std::span<const std::uint8_t> payload,
                               std::vector<std::uint8_t>& to_node) {
  std::vector<std::uint8_t> frames;
  wire::append_frames(frames, sequence_, payload);
  if (tls_ && tls_->established()) {
    // A failure here shows at the node's next bytes (the TLS session is broken).
    (void)tls_->write(frames);
    tls_->take_output(to_node);
    return;
  }
  to_node.insert(to_node.end(), frames.begin(), frames.end());
}

ServerLogin::Event ServerLogin::on_node_bytes(std::span<const std::uint8_t> bytes,
                                              std::vector<std::uint8_t>& to_node,
                                              std::vector<std::uint8_t>& plaintext) {
  if (phase_ == Phase::kFailed) return Event::kFailed;
  if (!tls_) {
    in_.insert(in_.end(), bytes.begin(), bytes.end());
    return drain_frames(to_node, plaintext);
  }
  tls_->feed(bytes);
  if (!tls_->established()) {
    const Event event = tls_step(to_node);
    if (phase_ == Phase::kTls || event != Event::kContinue) return event;
  }
  if (!tls_->read(in_)) {
    if (phase_ == Phase::kLoggedIn) {
      return fail(kErrServerLost, "HY000", "Lost connection to " + node_ + ": " + tls_->error());
    }
    return fail(kErrSslConnection, "HY000",
                "SSL connection error: " + node_ + ": " + tls_->error());
  }
  return drain_frames(to_node, plaintext);
}

bool ServerLogin::send(std::span<const std::uint8_t> plaintext,
                       std::vector<std::uint8_t>& to_node) {
  if (phase_ != Phase::kLoggedIn) return false;
  if (!tls_) {
    to_node.insert(to_node.end(), plaintext.begin(), plaintext.end());
    return true;
  }
  if (!tls_->write(plaintext)) {
    (void)fail(kErrServerLost, "HY000", "Lost connection to " + node_ + ": " + tls_->error());
    return false;
  }
  tls_->take_output(to_node);
  return true;
}

// Hands every complete frame of the login to its handler; once logged in, the rest is the
// caller's.
ServerLogin::Event ServerLogin::drain_frames(std::vector<std::uint8_t>& to_node,
                                             std::vector<std::uint8_t>& plaintext) {
  for (;;) {
    if (phase_ == Phase::kLoggedIn) {
      plaintext.insert(plaintext.end(), in_.begin(), in_.end());
      in_.clear();
      return Event::kContinue;
    }
    if (phase_ == Phase::kFailed) return Event::kFailed;
    if (phase_ == Phase::kTls || in_.empty()) return Event::kContinue;
    auto header = wire::decode_frame_header(in_);
    if (header && header->payload_size > kMaxHandshakePayload) {
      return fail(
          kErrServerLost, "HY000",
          node_ + " sent a handshake packet of " + std::to_string(header->payload_size) + " bytes");
    }
    auto frame = wire::decode_frame(in_);
    if (!frame) return Event::kContinue;  // kNeedMoreBytes: the rest comes with a later read
    const std::uint8_t sequence_id = frame->header.sequence_id;
    const std::vector<std::uint8_t> payload(frame->payload.begin(), frame->payload.end());
    in_.erase(in_.begin(), in_.begin() + static_cast<std::ptrdiff_t>(frame->size()));
    const Event event = phase_ == Phase::kGreeting ? on_greeting(payload, to_node)
                                                   : on_auth_reply(sequence_id, payload, to_node);
    if (event == Event::kLoggedIn) {
      plaintext.insert(plaintext.end(), in_.begin(), in_.end());
      in_.clear();
    }
    if (event != Event::kContinue) return event;
  }
}

ServerLogin::Event ServerLogin::on_greeting(std::span<const std::uint8_t> payload,
                                            std::vector<std::uint8_t>& to_node) {
  if (!payload.empty() && payload[0] == wire::kErrMarker) {
    // Refused before any greeting (max_connections, a blocked host): the node's own error.
    auto err = wire::decode_err_payload(payload, 0);
    if (!err) return fail(kErrConnectFailed, "HY000", node_ + " refused with a malformed ERR");
    return fail(err->error_code, err->sql_state.c_str(), err->message);
  }
  auto greeting = wire::decode_server_greeting(payload);
  if (!greeting || (greeting->capabilities & cap::kProtocol41) == 0) {
    return fail(kErrConnectFailed, "HY000", node_ + " sent no MySQL 4.1+ greeting");
  }
  greeting_ = std::move(*greeting);
  result_.connection_id = greeting_.connection_id;
  result_.server_version = greeting_.server_version;
  sequence_ = 1;
  const ServerTls decision = decide_server_tls(
      request_.server_ssl_mode, (greeting_.capabilities & cap::kSsl) != 0, request_.client_tls);
  if (decision == ServerTls::kNodeLacksTls) {
    return fail(kErrSslConnection, "HY000",
                "SSL connection error: " + node_ + " does not support TLS, which server_ssl_mode " +
                    std::string(to_string(request_.server_ssl_mode)) + " requires");
  }
  if (decision == ServerTls::kPlain) return send_response(to_node);
  if (request_.tls && request_.tls->connect) {
    tls_ = TlsChannel::connecting(request_.tls->connect.get(), request_.host, request_.tls->verify);
  }
  if (!tls_) return fail(kErrSslConnection, "HY000", "SSL connection error: cannot start TLS");
  std::vector<std::uint8_t> ssl_request;
  wire::append_ssl_request(ssl_request, ssl_request_of(leg_response(true)));
  send_payload(ssl_request, to_node);
  phase_ = Phase::kTls;
  // Whatever followed the greeting is already TLS (nothing, from a real node).
  tls_->feed(in_);
  in_.clear();
  return tls_step(to_node);
}

ServerLogin::Event ServerLogin::tls_step(std::vector<std::uint8_t>& to_node) {
  const auto progress = tls_->handshake();
  tls_->take_output(to_node);
  if (progress == TlsChannel::Progress::kFailed) {
    return fail(kErrSslConnection, "HY000",
                "SSL connection error: " + node_ + ": " + tls_->error());
  }
  if (progress == TlsChannel::Progress::kPending) return Event::kContinue;
  result_.tls = true;
  result_.tls_description = tls_->description();
  return send_response(to_node);
}

wire::HandshakeResponse ServerLogin::leg_response(bool tls) const {
  wire::HandshakeResponse login;
  login.capabilities = (request_.capabilities | kLoginCapabilities) & ~cap::kConnectWithDb;
  if (!request_.schema.empty()) login.capabilities |= cap::kConnectWithDb;
  login.max_packet_size = request_.max_packet_size;
  login.charset = request_.charset;
  login.mariadb_capabilities = request_.mariadb_capabilities;
  login.user = request_.user;
  login.schema = request_.schema;
  login.attributes = request_.attributes;
  return server_leg_response(std::move(login), greeting_, tls);
}

ServerLogin::Event ServerLogin::send_response(std::vector<std::uint8_t>& to_node) {
  auto scramble = wire::scramble_native_from_proof(request_.proof, greeting_.nonce);
  if (!scramble) return fail(kErrServerLost, "HY000", "cannot compute the scramble for " + node_);
  wire::HandshakeResponse login = leg_response(tls_ != nullptr);
  login.auth_response = std::move(*scramble);
  result_.capabilities = login.capabilities;
  result_.mariadb_capabilities = login.mariadb_capabilities;
  std::vector<std::uint8_t> payload;
  wire::append_handshake_response(payload, login);
  send_payload(payload, to_node);
  phase_ = Phase::kAuth;
  return Event::kContinue;
}

ServerLogin::Event ServerLogin::on_auth_reply(std::uint8_t sequence_id,
                                              std::span<const std::uint8_t> payload,
                                              std::vector<std::uint8_t>& to_node) {
  if (payload.empty()) return fail(kErrServerLost, "HY000", node_ + " sent an empty packet");
  if (payload[0] == wire::kOkMarker) {
    auto ok = wire::decode_ok_payload(payload, result_.capabilities);
    if (!ok) return fail(kErrServerLost, "HY000", node_ + " sent a malformed OK");
    result_.status_flags = ok->status_flags;
    phase_ = Phase::kLoggedIn;
    return Event::kLoggedIn;
  }
  if (payload[0] == wire::kErrMarker) {
    auto err = wire::decode_err_payload(payload, cap::kProtocol41);
    if (!err) return fail(kErrServerLost, "HY000", node_ + " sent a malformed ERR");
    return fail(err->error_code, err->sql_state.c_str(), err->message);
  }
  if (payload[0] != wire::kAuthSwitchMarker) {
    return fail(kErrNotSupportedAuth, "08004",
                "Account '" + request_.user + "' on " + node_ +
                    " asked for more authentication data: grouter logs in further connections "
                    "with mysql_native_password only");
  }
  auto request = wire::decode_auth_switch_request(payload);
  if (!request) return fail(kErrServerLost, "HY000", node_ + " sent a malformed auth switch");
  if (request->plugin_name != kNativePlugin) {
    return fail(kErrNotSupportedAuth, "08004",
                "Account '" + request_.user + "' on " + node_ + " authenticates with plugin '" +
                    request->plugin_name +
                    "': grouter logs in further connections with mysql_native_password only");
  }
  if (switched_) return fail(kErrServerLost, "HY000", node_ + " asked for a second auth switch");
  switched_ = true;
  auto reply = wire::scramble_native_from_proof(request_.proof,
                                                wire::nonce_of_plugin_data(request->plugin_data));
  if (!reply) return fail(kErrServerLost, "HY000", "cannot compute the scramble for " + node_);
  sequence_ = static_cast<std::uint8_t>(sequence_id + 1);
  send_payload(*reply, to_node);
  return Event::kContinue;
}

}  // namespace grouter::routing
