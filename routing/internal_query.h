// grouter's own statements on a session's server connections (replayed session commands, GTID
// positions and waits): the COM_QUERY frame, and the one value a reply carries. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace grouter::routing {

// COM_QUERY SQL as one frame with sequence id 0.
std::vector<std::uint8_t> query_frame(const std::string& sql);

// The first column of the first row of a text reply (its payloads, in order); nullopt for an ERR,
// no row, or NULL.
std::optional<std::string> first_value(const std::vector<std::vector<std::uint8_t>>& payloads,
                                       std::uint32_t capabilities);

// A string literal for SQL: quotes and backslashes escaped.
std::string sql_quoted(const std::string& text);

// The sequence number of a GTID "domain-server-seq" (the last one of a list), 0 when unreadable.
std::uint64_t gtid_sequence(const std::string& gtid);

// True when the GTID position HAVE ("domain-server-seq,...", as @@gtid_slave_pos prints it) has
// reached NEED: for every domain of NEED, HAVE has it with a sequence number at least NEED's.
// An unreadable position is never reached (an empty NEED always is).
bool gtid_position_covers(const std::string& have, const std::string& need);

}  // namespace grouter::routing
