// The MySQL error codes grouter itself reports to clients (ER_* as a server sends them, CR_* as
// a client library reports them), in one place for every routing file that sends or passes one.
#pragma once

#include <cstdint>

namespace grouter::routing {

inline constexpr std::uint16_t kErrConCount = 1040;          // ER_CON_COUNT_ERROR
inline constexpr std::uint16_t kErrHandshake = 1043;         // ER_HANDSHAKE_ERROR
inline constexpr std::uint16_t kErrHostBlocked = 1129;       // ER_HOST_IS_BLOCKED
inline constexpr std::uint16_t kErrNotSupportedAuth = 1251;  // ER_NOT_SUPPORTED_AUTH_MODE
inline constexpr std::uint16_t kErrConnectFailed = 2003;     // CR_CONN_HOST_ERROR
inline constexpr std::uint16_t kErrServerLost = 2013;        // CR_SERVER_LOST
inline constexpr std::uint16_t kErrSslConnection = 2026;     // CR_SSL_CONNECTION_ERROR
inline constexpr std::uint16_t kErrInsecureMysql = 3159;     // ER_SECURE_TRANSPORT_REQUIRED (MySQL)
inline constexpr std::uint16_t kErrInsecureMariadb =
    4188;  // ER_SECURE_TRANSPORT_REQUIRED (MariaDB)

}  // namespace grouter::routing
