// Error values of the pure metadata core. apply_entry() rejects an entry with one of these codes;
// the state it was given stays as it was. Decoders, whose point is the message, return strings
// instead.
#pragma once

#include <system_error>
#include <type_traits>

namespace grouter::metadata {

enum class MetadataErrc {
  kNotBootstrapped = 1,  // an entry other than Bootstrap before the group exists
  kAlreadyBootstrapped,  // a second Bootstrap
  kInvalidGroupName,     // group_name is not a UUID
  kInvalidMemberId,      // member_id is not a UUID
  kInvalidNode,          // empty name or host, port 0
  kDuplicateName,        // two storage nodes with one name
  kDuplicateMemberId,    // two members with one member_id
  kMemberIdAssigned,     // the node already has another member_id
  kGroupFull,            // a 10th member
  kUnknownMember,        // no member with that member_id
  kAlreadyInView,        // join of a member that is in the view
  kNotInView,            // expel, leave or state change of a member outside the view
  kInvalidTransition,    // the member's state does not allow the change
  kPrimaryNotOnline,     // a primary that is not an ONLINE member of the view
  kNotSinglePrimary,     // a primary election in multi-primary mode
  kInvalidVersion,       // a version text without major.minor.patch
  kInvalidWeight,        // member_weight outside 0..100
  kStaleTerm,            // an entry of a term older than the log's (or a term that does not rise)
  kNoFailover,           // a failover step while no failover is in progress
  kHasPrimary,           // a failover started while the group has a primary
  kInvalidForce,         // force_members naming nobody, or a member outside the view
  kInvalidPosition,      // a GTID position that does not parse
  kInvalidOption,        // an option or value group_options.h's check_option() refuses
  kNotStopped,           // a start of a member that is in the view
  kIsPrimary,            // a stop of the primary (a switchover comes first)
};

const std::error_category& metadata_category();
std::error_code make_error_code(MetadataErrc e);

}  // namespace grouter::metadata

template <>
struct std::is_error_code_enum<grouter::metadata::MetadataErrc> : std::true_type {};
