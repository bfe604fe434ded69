// grouter's own greeting and ERR for a refused client.
#include "routing/refusal.h"

#include <algorithm>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"
#include "protocol/mysql_wire/server_greeting.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

constexpr char kServerVersion[] = "8.0.0-grouter";
constexpr char kAuthPlugin[] = "mysql_native_password";
constexpr std::uint8_t kCharsetUtf8mb4 = 45;
// kLongPassword also marks a non-MariaDB greeting (no extended capabilities). No kSsl: a client
// that wants TLS but does not require it goes on in plain text and reads the ERR.
constexpr std::uint32_t kGreetingCapabilities =
    wire::capability::kLongPassword | wire::capability::kLongFlag |
    wire::capability::kConnectWithDb | wire::capability::kProtocol41 |
    wire::capability::kTransactions | wire::capability::kSecureConnection |
    wire::capability::kPluginAuth;
constexpr std::uint8_t kFirstPrintable = 0x21;  // '!'
constexpr std::uint8_t kPrintableCount = 0x7e - kFirstPrintable + 1;

std::vector<std::uint8_t> framed(std::span<const std::uint8_t> payload, std::uint8_t sequence_id) {
  std::vector<std::uint8_t> frame;
  wire::append_frames(frame, sequence_id, payload);
  return frame;
}

}  // namespace

std::vector<std::uint8_t> refusal_greeting(
    std::span<const std::uint8_t, kRefusalNonceSize> random) {
  wire::ServerGreeting greeting;
  greeting.server_version = kServerVersion;
  greeting.nonce.reserve(kRefusalNonceSize);
  for (std::uint8_t byte : random) {
    greeting.nonce.push_back(static_cast<std::uint8_t>(kFirstPrintable + byte % kPrintableCount));
  }
  greeting.capabilities = kGreetingCapabilities;
  greeting.charset = kCharsetUtf8mb4;
  greeting.status_flags = wire::server_status::kAutocommit;
  greeting.auth_plugin_name = kAuthPlugin;
  std::vector<std::uint8_t> payload;
  wire::append_server_greeting(payload, greeting);
  return framed(payload, 0);
}

bool RefusalExchange::on_client_bytes(std::span<const std::uint8_t> bytes) {
  received_ += bytes.size();
  const std::size_t keep = std::min(bytes.size(), kKeptSize - kept_size_);
  std::copy_n(bytes.begin(), keep, kept_.begin() + static_cast<std::ptrdiff_t>(kept_size_));
  kept_size_ += keep;
  if (kept_size_ >= wire::kFrameHeaderSize) {
    const auto header = wire::decode_frame_header(std::span(kept_.data(), kept_size_));
    const std::uint32_t size = header ? header->payload_size : 0;
    if (size > kMaxAwaitedResponseSize || received_ >= wire::kFrameHeaderSize + size) {
      answer_due_ = true;
    }
  }
  return answer_due_;
}

std::vector<std::uint8_t> RefusalExchange::error_frame(const wire::ErrPacket& err) const {
  const std::uint8_t sequence_id =
      kept_size_ >= wire::kFrameHeaderSize ? static_cast<std::uint8_t>(kept_[3] + 1) : 1;
  std::uint32_t capabilities = 0;
  if (kept_size_ == kKeptSize) capabilities = kept_[4] | static_cast<std::uint32_t>(kept_[5]) << 8;
  std::vector<std::uint8_t> payload;
  wire::append_err_payload(payload, err, capabilities & wire::capability::kProtocol41);
  return framed(payload, sequence_id);
}

}  // namespace grouter::routing
