// Accounts and the proof of a client's reply.
#include "routing/account_cache.h"

#include <algorithm>

#include "protocol/mysql_wire/scramble.h"

namespace grouter::routing {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// LIKE-style match: % any run, _ one character. Host names and patterns are at most 255
// characters, which bounds the backtracking.
bool like(std::string_view pattern, std::string_view text) {
  std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '_' || lower(pattern[p]) == lower(text[t]))) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '%') {
      star = p++;
      mark = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

// The server's order: hosts without wildcards first, then by how much precedes the first
// wildcard, '%' last; a named user before the anonymous one.
bool more_specific(const Account& a, const Account& b) {
  auto rank = [](const Account& x) {
    const std::size_t wildcard = x.host.find_first_of("%_");
    const std::size_t exact = wildcard == std::string::npos ? 1 : 0;
    const std::size_t prefix = wildcard == std::string::npos ? x.host.size() : wildcard;
    return std::tuple(exact, prefix, x.user.empty() ? 0 : 1);
  };
  return rank(a) > rank(b);
}

}  // namespace

bool host_matches(std::string_view pattern, std::string_view host) {
  if (pattern == "localhost" || pattern == "LOCALHOST") {
    return host == "127.0.0.1" || host == "::1" || host == "localhost";
  }
  return like(pattern, host);
}

void AccountCache::replace(std::vector<Account> accounts) {
  std::stable_sort(accounts.begin(), accounts.end(), more_specific);
  auto shared = std::make_shared<const std::vector<Account>>(std::move(accounts));
  std::lock_guard lock(mutex_);
  accounts_ = std::move(shared);
}

bool AccountCache::loaded() const {
  std::lock_guard lock(mutex_);
  return accounts_ != nullptr;
}

ProofLookup AccountCache::prove(std::string_view user, std::string_view host,
                                std::span<const std::uint8_t> reply,
                                std::span<const std::uint8_t> nonce) const {
  std::shared_ptr<const std::vector<Account>> accounts;
  {
    std::lock_guard lock(mutex_);
    accounts = accounts_;
  }
  ProofLookup result;
  if (!accounts) return result;
  for (const Account& account : *accounts) {
    if (account.user != user || !host_matches(account.host, host)) continue;
    // The first match is the account the server would pick.
    if (account.plugin != "mysql_native_password" && !account.plugin.empty()) {
      result.outcome = ProofLookup::Outcome::kOtherPlugin;
      result.plugin = account.plugin;
      return result;
    }
    if (auto proof = mysql_wire::native_password_proof(reply, nonce, account.stored_hash)) {
      result.outcome = ProofLookup::Outcome::kProven;
      result.proof = std::move(*proof);
    } else {
      result.outcome = ProofLookup::Outcome::kWrongPassword;
    }
    return result;
  }
  return result;
}

void AccountCache::set_refresher(std::function<void()> refresh, std::uint64_t min_interval_ms) {
  std::lock_guard lock(mutex_);
  refresh_ = std::move(refresh);
  min_interval_ms_ = min_interval_ms;
}

void AccountCache::request_refresh(std::uint64_t now_ms) {
  std::function<void()> refresh;
  {
    std::lock_guard lock(mutex_);
    if (!refresh_) return;
    if (last_request_ms_ && now_ms < *last_request_ms_ + min_interval_ms_) return;
    last_request_ms_ = now_ms;
    refresh = refresh_;
  }
  refresh();
}

}  // namespace grouter::routing
