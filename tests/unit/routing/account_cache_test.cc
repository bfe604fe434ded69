// Accounts: host patterns as the server matches them, the most specific account first, the
// proof of a reply, and refresh requests spaced by their interval.
#include "routing/account_cache.h"

#include <gtest/gtest.h>

#include "protocol/mysql_wire/scramble.h"

namespace grouter::routing {
namespace {

namespace wire = grouter::mysql_wire;

std::vector<std::uint8_t> nonce(std::uint8_t seed) { return std::vector<std::uint8_t>(20, seed); }

Account native(std::string user, std::string host, std::string_view password) {
  return {std::move(user), std::move(host), "mysql_native_password",
          password.empty() ? std::vector<std::uint8_t>{} : *wire::native_password_hash(password)};
}

TEST(HostPattern, WildcardsAndLocalhost) {
  EXPECT_TRUE(host_matches("%", "10.1.2.3"));
  EXPECT_TRUE(host_matches("10.1.%", "10.1.2.3"));
  EXPECT_FALSE(host_matches("10.1.%", "10.2.2.3"));
  EXPECT_TRUE(host_matches("10.1.2._", "10.1.2.3"));
  EXPECT_FALSE(host_matches("10.1.2._", "10.1.2.33"));
  EXPECT_TRUE(host_matches("127.0.0.1", "127.0.0.1"));
  EXPECT_TRUE(host_matches("localhost", "127.0.0.1"));
  EXPECT_TRUE(host_matches("localhost", "::1"));
  EXPECT_FALSE(host_matches("localhost", "10.0.0.1"));
  EXPECT_TRUE(host_matches("%.example.COM", "db.example.com"));
  EXPECT_FALSE(host_matches("", "127.0.0.1"));
  EXPECT_TRUE(host_matches(std::string(255, '%'), std::string(255, 'a')));  // bounded backtracking
}

TEST(AccountCache, ProvesAReplyAgainstTheMostSpecificAccount) {
  AccountCache cache;
  EXPECT_FALSE(cache.loaded());
  const auto n = nonce(7);
  const auto reply = *wire::scramble_native_password("right", n);
  EXPECT_EQ(cache.prove("app", "127.0.0.1", reply, n).outcome,
            ProofLookup::Outcome::kUnknownAccount);  // nothing read yet

  // The server picks 'app'@'localhost' over 'app'@'%' for a loopback client.
  cache.replace({native("app", "%", "other"), native("app", "localhost", "right"),
                 {"edd", "%", "ed25519", {}}, native("nopw", "%", "")});
  EXPECT_TRUE(cache.loaded());
  auto proven = cache.prove("app", "127.0.0.1", reply, n);
  ASSERT_EQ(proven.outcome, ProofLookup::Outcome::kProven);
  EXPECT_EQ(*wire::scramble_native_from_proof(proven.proof, nonce(9)),
            *wire::scramble_native_password("right", nonce(9)));
  // From elsewhere the '%' account applies, whose password differs.
  EXPECT_EQ(cache.prove("app", "10.0.0.5", reply, n).outcome,
            ProofLookup::Outcome::kWrongPassword);
  EXPECT_EQ(cache.prove("ghost", "127.0.0.1", reply, n).outcome,
            ProofLookup::Outcome::kUnknownAccount);
  auto ed = cache.prove("edd", "127.0.0.1", reply, n);
  EXPECT_EQ(ed.outcome, ProofLookup::Outcome::kOtherPlugin);
  EXPECT_EQ(ed.plugin, "ed25519");
  auto empty = cache.prove("nopw", "127.0.0.1", {}, n);
  EXPECT_EQ(empty.outcome, ProofLookup::Outcome::kProven);
  EXPECT_TRUE(empty.proof.empty());
}

TEST(AccountCache, RefreshRequestsAreSpacedByTheirInterval) {
  AccountCache cache;
  cache.request_refresh(0);  // no reader yet: nothing happens
  int calls = 0;
  cache.set_refresher([&] { ++calls; }, 1000);
  cache.request_refresh(5000);
  cache.request_refresh(5500);
  EXPECT_EQ(calls, 1);
  cache.request_refresh(6000);
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace grouter::routing
