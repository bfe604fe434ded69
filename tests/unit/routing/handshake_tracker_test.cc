// The handshake tracker on plain and TLS exchanges, whole and split at every byte.
#include "routing/handshake_tracker.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "protocol/mysql_wire/capabilities.h"
#include "protocol/mysql_wire/frame.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;
using Bytes = std::vector<std::uint8_t>;
using Outcome = HandshakeTracker::Outcome;

Bytes frame(std::uint8_t sequence_id, const Bytes& payload) {
  Bytes out;
  wire::append_frames(out, sequence_id, payload);
  return out;
}

Bytes greeting() { return frame(0, Bytes{0x0a, '5', '.', '5', 0, 1, 2, 3, 4}); }

Bytes client_caps_packet(std::uint8_t sequence_id, std::uint32_t caps, std::size_t size) {
  Bytes payload(size, 0);
  payload[0] = caps & 0xff;
  payload[1] = (caps >> 8) & 0xff;
  payload[2] = (caps >> 16) & 0xff;
  payload[3] = (caps >> 24) & 0xff;
  return frame(sequence_id, payload);
}

Bytes ok(std::uint8_t sequence_id) { return frame(sequence_id, Bytes{0x00, 0, 0, 2, 0, 0, 0}); }
Bytes err(std::uint8_t sequence_id, std::uint16_t code) {
  return frame(sequence_id, Bytes{0xff, static_cast<std::uint8_t>(code & 0xff),
                                  static_cast<std::uint8_t>(code >> 8), '#', '2', '8', '0', '0', '0',
                                  'n', 'o'});
}
Bytes tls_record(std::uint8_t type, std::size_t size) {
  Bytes out{type, 3, 3, static_cast<std::uint8_t>(size >> 8), static_cast<std::uint8_t>(size)};
  out.resize(out.size() + size, 0xab);
  return out;
}

constexpr std::uint32_t kPlainCaps = wire::capability::kProtocol41 | wire::capability::kSecureConnection;

// Feeds each step whole, then again one byte at a time, and checks the outcome after each step.
struct Step {
  bool from_client;
  Bytes bytes;
  Outcome expect;
};

void run(const std::vector<Step>& steps, bool byte_by_byte) {
  HandshakeTracker tracker;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const Step& step = steps[i];
    Outcome outcome = tracker.outcome();
    if (byte_by_byte) {
      for (std::uint8_t b : step.bytes) {
        std::span one(&b, 1);
        outcome = step.from_client ? tracker.on_client_bytes(one) : tracker.on_server_bytes(one);
      }
    } else {
      outcome = step.from_client ? tracker.on_client_bytes(step.bytes)
                                 : tracker.on_server_bytes(step.bytes);
    }
    EXPECT_EQ(outcome, step.expect) << "step " << i << (byte_by_byte ? " (byte by byte)" : "");
  }
}

void run_both(const std::vector<Step>& steps) {
  run(steps, false);
  run(steps, true);
}

TEST(HandshakeTracker, PlainLoginIsAuthenticatedByTheServerOk) {
  run_both({{false, greeting(), Outcome::kPending},
            {true, client_caps_packet(1, kPlainCaps, 60), Outcome::kPending},
            {false, ok(2), Outcome::kAuthenticated}});
}

TEST(HandshakeTracker, AuthSwitchRoundTripsBeforeTheOk) {
  run_both({{false, greeting(), Outcome::kPending},
            {true, client_caps_packet(1, kPlainCaps, 60), Outcome::kPending},
            {false, frame(2, Bytes{0xfe, 'm', 'y', 's', 'q', 'l', 0, 1, 2}), Outcome::kPending},
            {true, frame(3, Bytes(20, 7)), Outcome::kPending},
            {false, frame(4, Bytes{0x01, 0x03}), Outcome::kPending},  // fast auth success
            {false, ok(5), Outcome::kAuthenticated}});
}

TEST(HandshakeTracker, WrongPasswordIsRefusedWithTheServerCode) {
  HandshakeTracker tracker;
  tracker.on_server_bytes(greeting());
  tracker.on_client_bytes(client_caps_packet(1, kPlainCaps, 60));
  EXPECT_EQ(tracker.on_server_bytes(err(2, 1045)), Outcome::kServerRefused);
  EXPECT_EQ(tracker.error_code(), 1045);
}

TEST(HandshakeTracker, ServerErrorInsteadOfGreetingIsRefused) {
  HandshakeTracker tracker;
  EXPECT_EQ(tracker.on_server_bytes(err(0, 1040)), Outcome::kServerRefused);
  EXPECT_EQ(tracker.error_code(), 1040);
}

TEST(HandshakeTracker, WholeExchangeInOneReadStillFindsTheOk) {
  Bytes server = greeting();
  HandshakeTracker tracker;
  EXPECT_EQ(tracker.on_server_bytes(server), Outcome::kPending);
  EXPECT_EQ(tracker.on_client_bytes(client_caps_packet(1, kPlainCaps, 300)), Outcome::kPending);
  Bytes rest = ok(2);
  Bytes more = frame(1, Bytes{0x03, 's', 'e', 'l'});
  rest.insert(rest.end(), more.begin(), more.end());
  EXPECT_EQ(tracker.on_server_bytes(rest), Outcome::kAuthenticated);
}

TEST(HandshakeTracker, TlsIsDoneWhenTheServerAnswersEncryptedClientData) {
  const std::uint32_t caps = kPlainCaps | wire::capability::kSsl;
  Bytes ssl_request_and_hello = client_caps_packet(1, caps, 32);
  Bytes hello = tls_record(22, 300);
  ssl_request_and_hello.insert(ssl_request_and_hello.end(), hello.begin(), hello.end());
  run_both({{false, greeting(), Outcome::kPending},
            {true, ssl_request_and_hello, Outcome::kPending},
            {false, tls_record(22, 120), Outcome::kPending},
            {false, tls_record(23, 900), Outcome::kPending},  // TLS 1.3 encrypted handshake
            {true, tls_record(23, 50), Outcome::kPending},    // client Finished / MySQL auth
            {false, tls_record(23, 40), Outcome::kAuthenticated}});
}

TEST(HandshakeTracker, GarbageAfterTheSslRequestIsMalformed) {
  const std::uint32_t caps = kPlainCaps | wire::capability::kSsl;
  HandshakeTracker tracker;
  tracker.on_server_bytes(greeting());
  EXPECT_EQ(tracker.on_client_bytes(client_caps_packet(1, caps, 32)), Outcome::kPending);
  EXPECT_TRUE(tracker.tls());
  EXPECT_EQ(tracker.on_client_bytes(Bytes{0x47, 0x45, 0x54, 0x20, 0x2f}), Outcome::kMalformed);
}

TEST(HandshakeTracker, AnnouncedLargePacketWithoutBodyStaysPending) {
  HandshakeTracker tracker;
  tracker.on_server_bytes(greeting());
  EXPECT_EQ(tracker.on_client_bytes(Bytes{0xff, 0xff, 0xff, 0x01}), Outcome::kPending);
  EXPECT_EQ(tracker.on_server_bytes(ok(2)), Outcome::kPending);  // the client has not responded
}

}  // namespace
}  // namespace grouter::routing
