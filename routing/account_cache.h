// The storage nodes' accounts as grouter knows them (mysql.user: user, host pattern, plugin,
// stored mysql_native_password hash), so that a terminated session can check a client's reply
// itself and log that client in to further storage nodes with their own nonces (the proof, see
// protocol/mysql_wire/scramble.h). Filled by whoever reads mysql.user (with cluster_user);
// a miss asks for a refresh.
//
// Threads: every method is thread-safe (workers read, the reader replaces). Hashes never leave
// through logs or REST: Account has no printer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace grouter::routing {

struct Account {
  std::string user;
  std::string host;    // MySQL host pattern: '%', '127.0.0.1', '10.0.%', 'localhost', ...
  std::string plugin;  // "mysql_native_password", "ed25519", ...
  std::vector<std::uint8_t> stored_hash;  // SHA1(SHA1(password)); empty: no password
};

// Whether a MySQL host PATTERN ('%' and '_' wildcards, any case) covers HOST, an address.
// 'localhost' covers the loopback addresses.
bool host_matches(std::string_view pattern, std::string_view host);

struct ProofLookup {
  enum class Outcome { kProven, kWrongPassword, kUnknownAccount, kOtherPlugin };
  Outcome outcome = Outcome::kUnknownAccount;
  std::vector<std::uint8_t> proof;  // kProven: SHA1(password)
  std::string plugin;               // kOtherPlugin: the account's plugin
};

class AccountCache {
 public:
  // Replaces every account (the reader read mysql.user anew).
  void replace(std::vector<Account> accounts);
  bool loaded() const;

  // Checks REPLY, USER's answer to NONCE from HOST, against the accounts that match, most
  // specific host first (as the server picks).
  ProofLookup prove(std::string_view user, std::string_view host,
                    std::span<const std::uint8_t> reply, std::span<const std::uint8_t> nonce) const;

  // The reader's wake-up; request_refresh() calls it (from any thread) at most once per
  // min_interval_ms of the caller's clock, NOW_MS.
  void set_refresher(std::function<void()> refresh, std::uint64_t min_interval_ms);
  void request_refresh(std::uint64_t now_ms);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const std::vector<Account>> accounts_;  // guarded; sorted most specific first
  std::function<void()> refresh_;                         // guarded
  std::uint64_t min_interval_ms_ = 0;                     // guarded
  std::optional<std::uint64_t> last_request_ms_;          // guarded
};

}  // namespace grouter::routing
