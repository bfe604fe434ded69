// One admin session's MySQL protocol, server side: grouter's greeting, the mysql_native_password
// check against the admin account's stored hash (a client asking for another plugin is switched
// to it), then the command phase: COM_QUERY runs through the AdminExecutor, COM_INIT_DB is USE,
// COM_PING, COM_QUIT, COM_FIELD_LIST, COM_STATISTICS, COM_RESET_CONNECTION and COM_SET_OPTION get
// their usual answers, any other command 1047. Pure: bytes in, bytes out through the Sink.
//
// Bounds: a packet over max_packet bytes gets 1153 and ends the session; a broken handshake or a
// malformed packet ends this session only (1043/1045/08S01). One command runs at a time: frames
// behind it wait in the input, which the caller stops reading (wants_input()) while it is full or
// while its own output is full (the Sink's has_room()).
//
// Threading: the control loop's; one per connection.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "router/admin/admin_executor.h"

namespace grouter::admin {

// The one account the admin port accepts. stored_hash is SHA1(SHA1(password)); never logged.
struct AdminAccount {
  std::string user;
  std::vector<std::uint8_t> stored_hash;
};

class AdminSink {
 public:
  virtual ~AdminSink() = default;
  virtual void send(std::vector<std::uint8_t> bytes) = 0;
  // The session is over: close once what was sent is written.
  virtual void end(const std::string& reason) = 0;
  // False while the connection's output is full: no further command is started.
  [[nodiscard]] virtual bool has_room() const = 0;
};

class AdminProtocol {
 public:
  AdminProtocol(AdminExecutor& executor, const AdminAccount& account, AdminSink& sink,
                std::uint32_t connection_id, std::vector<std::uint8_t> nonce,
                std::string client_host, std::size_t max_packet);
  ~AdminProtocol();
  AdminProtocol(const AdminProtocol&) = delete;
  AdminProtocol& operator=(const AdminProtocol&) = delete;

  // Sends the greeting.
  void start();
  // Takes bytes from the client and runs what they complete.
  void on_bytes(std::span<const std::uint8_t> bytes);
  // Runs commands that waited (the output has room again).
  void resume();
  [[nodiscard]] bool wants_input() const;
  [[nodiscard]] bool ended() const { return phase_ == Phase::kEnded; }
  [[nodiscard]] bool authenticated() const { return phase_ == Phase::kCommand; }
  const AdminSession& session() const { return session_; }

 private:
  enum class Phase { kGreeting, kResponse, kAuthSwitch, kCommand, kEnded };

  void pump();
  void on_frame(std::uint8_t sequence_id, std::span<const std::uint8_t> payload);
  void on_response(std::span<const std::uint8_t> payload);
  void check_password(std::span<const std::uint8_t> reply);
  void on_command(std::span<const std::uint8_t> payload);
  void reply(const Reply& reply);
  void send_payloads(const std::vector<std::vector<std::uint8_t>>& payloads);
  void send_error(const SqlError& error);
  void end(const SqlError& error, const std::string& reason);

  AdminExecutor& executor_;
  const AdminAccount& account_;
  AdminSink& sink_;
  const std::vector<std::uint8_t> nonce_;
  const std::size_t max_packet_;
  Phase phase_ = Phase::kGreeting;
  AdminSession session_;
  std::vector<std::uint8_t> input_;
  std::uint32_t capabilities_ = 0;  // agreed with the client
  std::uint8_t sequence_ = 0;       // the next sequence id toward the client
  std::string schema_;              // asked for in the HandshakeResponse
  bool running_ = false;            // a command's answer is pending
  bool pumping_ = false;
};

// What grouter offers an admin client.
std::uint32_t admin_capabilities();

}  // namespace grouter::admin
