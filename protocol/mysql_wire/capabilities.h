// Capability flags of the MySQL client/server protocol (CLIENT_*), MariaDB's extended capabilities,
// and the server status flags (SERVER_*) carried by OK, EOF and the greeting. Constants only.
//
// MariaDB marks itself by clearing kClientMysql (bit 0, MySQL's kLongPassword) and then carries 32
// more capability bits, mariadb_capability::*, in the last 4 filler bytes of the Handshake v10
// greeting and of the HandshakeResponse41.
#pragma once

#include <cstdint>

namespace grouter::mysql_wire {

namespace capability {
inline constexpr std::uint32_t kLongPassword = 1u << 0;
inline constexpr std::uint32_t kClientMysql = 1u << 0;  // MariaDB's name for bit 0
inline constexpr std::uint32_t kFoundRows = 1u << 1;
inline constexpr std::uint32_t kLongFlag = 1u << 2;
inline constexpr std::uint32_t kConnectWithDb = 1u << 3;
inline constexpr std::uint32_t kNoSchema = 1u << 4;
inline constexpr std::uint32_t kCompress = 1u << 5;
inline constexpr std::uint32_t kOdbc = 1u << 6;
inline constexpr std::uint32_t kLocalFiles = 1u << 7;
inline constexpr std::uint32_t kIgnoreSpace = 1u << 8;
inline constexpr std::uint32_t kProtocol41 = 1u << 9;
inline constexpr std::uint32_t kInteractive = 1u << 10;
inline constexpr std::uint32_t kSsl = 1u << 11;
inline constexpr std::uint32_t kIgnoreSigpipe = 1u << 12;
inline constexpr std::uint32_t kTransactions = 1u << 13;
inline constexpr std::uint32_t kReserved = 1u << 14;
inline constexpr std::uint32_t kSecureConnection = 1u << 15;
inline constexpr std::uint32_t kMultiStatements = 1u << 16;
inline constexpr std::uint32_t kMultiResults = 1u << 17;
inline constexpr std::uint32_t kPsMultiResults = 1u << 18;
inline constexpr std::uint32_t kPluginAuth = 1u << 19;
inline constexpr std::uint32_t kConnectAttrs = 1u << 20;
inline constexpr std::uint32_t kPluginAuthLenencData = 1u << 21;
inline constexpr std::uint32_t kCanHandleExpiredPasswords = 1u << 22;
inline constexpr std::uint32_t kSessionTrack = 1u << 23;
inline constexpr std::uint32_t kDeprecateEof = 1u << 24;
inline constexpr std::uint32_t kOptionalResultsetMetadata = 1u << 25;
inline constexpr std::uint32_t kZstdCompression = 1u << 26;
inline constexpr std::uint32_t kQueryAttributes = 1u << 27;
inline constexpr std::uint32_t kMultiFactorAuthentication = 1u << 28;
inline constexpr std::uint32_t kCapabilityExtension = 1u << 29;
inline constexpr std::uint32_t kSslVerifyServerCert = 1u << 30;
inline constexpr std::uint32_t kRememberOptions = 1u << 31;
}  // namespace capability

// MariaDB's extended capabilities: bits of the separate 32-bit word (bit N here is bit 32+N of
// MariaDB's 64-bit capability value).
namespace mariadb_capability {
inline constexpr std::uint32_t kProgress = 1u << 0;
inline constexpr std::uint32_t kComMulti = 1u << 1;
inline constexpr std::uint32_t kStmtBulkOperations = 1u << 2;
inline constexpr std::uint32_t kExtendedTypeInfo = 1u << 3;
inline constexpr std::uint32_t kCacheMetadata = 1u << 4;
inline constexpr std::uint32_t kBulkUnitResults = 1u << 6;
}  // namespace mariadb_capability

namespace server_status {
inline constexpr std::uint16_t kInTrans = 1u << 0;
inline constexpr std::uint16_t kAutocommit = 1u << 1;
inline constexpr std::uint16_t kMoreResultsExist = 1u << 3;
inline constexpr std::uint16_t kQueryNoGoodIndexUsed = 1u << 4;
inline constexpr std::uint16_t kQueryNoIndexUsed = 1u << 5;
inline constexpr std::uint16_t kCursorExists = 1u << 6;
inline constexpr std::uint16_t kLastRowSent = 1u << 7;
inline constexpr std::uint16_t kDbDropped = 1u << 8;
inline constexpr std::uint16_t kNoBackslashEscapes = 1u << 9;
inline constexpr std::uint16_t kMetadataChanged = 1u << 10;
inline constexpr std::uint16_t kQueryWasSlow = 1u << 11;
inline constexpr std::uint16_t kPsOutParams = 1u << 12;
inline constexpr std::uint16_t kInTransReadonly = 1u << 13;
inline constexpr std::uint16_t kSessionStateChanged = 1u << 14;
}  // namespace server_status

// True when a peer announcing CAPABILITIES is a MariaDB peer that carries extended capabilities.
constexpr bool has_mariadb_extended_capabilities(std::uint32_t capabilities) {
  return (capabilities & capability::kClientMysql) == 0;
}

}  // namespace grouter::mysql_wire
