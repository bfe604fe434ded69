// The MySQL error codes grouter itself reports to clients (ER_* as a server sends them, CR_* as
// a client library reports them), in one place for every routing file that sends or passes one.
#pragma once

#include <cstdint>

namespace grouter::routing {

inline constexpr std::uint16_t kErrConCount = 1040;          // ER_CON_COUNT_ERROR
inline constexpr std::uint16_t kErrHandshake = 1043;         // ER_HANDSHAKE_ERROR
inline constexpr std::uint16_t kErrHostBlocked = 1129;       // ER_HOST_IS_BLOCKED
inline constexpr std::uint16_t kErrNotSupportedAuth = 1251;  // ER_NOT_SUPPORTED_AUTH_MODE
// No destination, or a storage node grouter could not log in to (no greeting, TLS failed). Not
// 2003 (CR_CONN_HOST_ERROR, MySQL Router's code) nor 2026: those are a client library's own codes,
// and libmariadb reports an ERR carrying one of its codes (2001-2061, 5001-5026) as a malformed
// packet (2027) instead. A server's code for "cannot reach the data behind me":
inline constexpr std::uint16_t kErrNoDestination = 1429;  // ER_CONNECT_TO_FOREIGN_DATA_SOURCE
// Client-library codes: only for what the client library itself would report (a ServerLink's
// failure, logged; never sent to a client during its handshake).
inline constexpr std::uint16_t kErrConnectFailed = 2003;     // CR_CONN_HOST_ERROR
inline constexpr std::uint16_t kErrServerLost = 2013;        // CR_SERVER_LOST
inline constexpr std::uint16_t kErrSslConnection = 2026;     // CR_SSL_CONNECTION_ERROR
inline constexpr std::uint16_t kErrInsecureMysql = 3159;     // ER_SECURE_TRANSPORT_REQUIRED (MySQL)
inline constexpr std::uint16_t kErrInsecureMariadb =
    4188;  // ER_SECURE_TRANSPORT_REQUIRED (MariaDB)

}  // namespace grouter::routing
