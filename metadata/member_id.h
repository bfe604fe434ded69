// Member ids: the UUID text GR shows as MEMBER_ID. MySQL has @@server_uuid; MariaDB has none, so
// grouter makes a v4 UUID at a node's first admission and keeps it in the group state.
#pragma once

#include <string>
#include <string_view>

#include "metadata/random.h"

namespace grouter::metadata {

// True for 8-4-4-4-12 hex digits (either case), the form of server_uuid and group_name.
[[nodiscard]] bool is_uuid(std::string_view text);

// A random (version 4, RFC 4122 variant) UUID in lower case, drawn from `random`.
[[nodiscard]] std::string make_member_id(Random& random);

}  // namespace grouter::metadata
