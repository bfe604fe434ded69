// Incremental observation of the pass-through handshake.
#include "routing/handshake_tracker.h"

#include <algorithm>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

constexpr std::size_t kTlsHeaderSize = 5;
constexpr std::size_t kSslRequestSize = 32;
constexpr std::uint8_t kTlsApplicationData = 23;
constexpr std::uint8_t kTlsFirstType = 20;  // change_cipher_spec; 21 alert, 22 handshake

std::uint32_t read_le32(std::span<const std::uint8_t> b) {
  return static_cast<std::uint32_t>(b[0]) | static_cast<std::uint32_t>(b[1]) << 8 |
         static_cast<std::uint32_t>(b[2]) << 16 | static_cast<std::uint32_t>(b[3]) << 24;
}

}  // namespace

template <typename OnFrame>
bool HandshakeTracker::scan(Scanner& s, std::span<const std::uint8_t> bytes, OnFrame&& on_frame) {
  while (!bytes.empty() && outcome_ == Outcome::kPending) {
    if (s.in_body) {
      std::size_t skip = std::min(bytes.size(), s.body_left);
      bytes = bytes.subspan(skip);
      s.body_left -= skip;
      if (s.body_left == 0) s.in_body = false;
      continue;
    }
    const std::size_t header_size = tls_ ? kTlsHeaderSize : wire::kFrameHeaderSize;
    if (s.head_size < header_size) {
      std::size_t take = std::min(bytes.size(), header_size - s.head_size);
      std::copy_n(bytes.begin(), take, s.head.begin() + s.head_size);
      s.head_size += take;
      bytes = bytes.subspan(take);
      if (s.head_size < header_size) return true;
    }
    Frame frame;
    std::size_t want = 0;  // body bytes to look at
    if (tls_) {
      frame.tls_type = s.head[0];
      frame.body_size = static_cast<std::uint32_t>(s.head[3]) << 8 | s.head[4];
    } else {
      auto header = wire::decode_frame_header(std::span(s.head.data(), header_size));
      if (!header) return false;
      frame.body_size = header->payload_size;
      want = std::min<std::size_t>(frame.body_size, 4);
    }
    if (s.head_size < header_size + want) {
      std::size_t take = std::min(bytes.size(), header_size + want - s.head_size);
      std::copy_n(bytes.begin(), take, s.head.begin() + s.head_size);
      s.head_size += take;
      bytes = bytes.subspan(take);
      if (s.head_size < header_size + want) return true;
    }
    frame.body_start = std::span<const std::uint8_t>(s.head.data() + header_size, want);
    s.body_left = frame.body_size - want;
    s.in_body = s.body_left > 0;
    s.head_size = 0;
    on_frame(frame);
  }
  return true;
}

HandshakeTracker::Outcome HandshakeTracker::on_client_bytes(std::span<const std::uint8_t> bytes) {
  if (outcome_ != Outcome::kPending) return outcome_;
  if (!scan(client_, bytes, [this](const Frame& f) { on_client_frame(f); })) {
    outcome_ = Outcome::kMalformed;
  }
  return outcome_;
}

HandshakeTracker::Outcome HandshakeTracker::on_server_bytes(std::span<const std::uint8_t> bytes) {
  if (outcome_ != Outcome::kPending) return outcome_;
  if (!scan(server_, bytes, [this](const Frame& f) { on_server_frame(f); })) {
    outcome_ = Outcome::kMalformed;
  }
  return outcome_;
}

void HandshakeTracker::on_client_frame(const Frame& frame) {
  if (tls_) {
    if (frame.tls_type < kTlsFirstType || frame.tls_type > kTlsApplicationData) {
      outcome_ = Outcome::kMalformed;
    } else if (frame.tls_type == kTlsApplicationData) {
      client_sent_app_data_ = true;
    }
    return;
  }
  if (client_responded_) return;  // auth-switch responses and the like
  client_responded_ = true;
  if (frame.body_size == kSslRequestSize && frame.body_start.size() == 4 &&
      (read_le32(frame.body_start) & wire::capability::kSsl) != 0) {
    tls_ = true;
  }
}

void HandshakeTracker::on_server_frame(const Frame& frame) {
  if (tls_) {
    if (frame.tls_type < kTlsFirstType || frame.tls_type > kTlsApplicationData) {
      outcome_ = Outcome::kMalformed;
    } else if (frame.tls_type == kTlsApplicationData && client_sent_app_data_) {
      outcome_ = Outcome::kAuthenticated;
    }
    return;
  }
  const bool is_err = !frame.body_start.empty() && frame.body_start[0] == 0xff;
  if (is_err) {
    if (frame.body_start.size() >= 3) {
      error_code_ = static_cast<std::uint16_t>(frame.body_start[1] | frame.body_start[2] << 8);
    }
    outcome_ = Outcome::kServerRefused;
    return;
  }
  if (!greeting_seen_) {
    greeting_seen_ = true;
    return;
  }
  if (client_responded_ && !frame.body_start.empty() && frame.body_start[0] == 0x00) {
    outcome_ = Outcome::kAuthenticated;
  }
}

}  // namespace grouter::routing
