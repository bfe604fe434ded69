// The error category of the pure metadata core.
#include "metadata/metadata_error.h"

#include <string>

namespace grouter::metadata {
namespace {

class MetadataCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "metadata"; }

  std::string message(int value) const override {
    switch (static_cast<MetadataErrc>(value)) {
      case MetadataErrc::kNotBootstrapped:
        return "the group is not bootstrapped";
      case MetadataErrc::kAlreadyBootstrapped:
        return "the group is already bootstrapped";
      case MetadataErrc::kInvalidGroupName:
        return "group_name is not a UUID";
      case MetadataErrc::kInvalidMemberId:
        return "member_id is not a UUID";
      case MetadataErrc::kInvalidNode:
        return "storage node needs a name, a host and a port";
      case MetadataErrc::kDuplicateName:
        return "storage node name used twice";
      case MetadataErrc::kDuplicateMemberId:
        return "member_id used by another member";
      case MetadataErrc::kMemberIdAssigned:
        return "storage node already has another member_id";
      case MetadataErrc::kGroupFull:
        return "the group already has 9 members";
      case MetadataErrc::kUnknownMember:
        return "unknown member";
      case MetadataErrc::kAlreadyInView:
        return "member is already in the view";
      case MetadataErrc::kNotInView:
        return "member is not in the view";
      case MetadataErrc::kInvalidTransition:
        return "member state does not allow this change";
      case MetadataErrc::kPrimaryNotOnline:
        return "primary must be an ONLINE member of the view";
      case MetadataErrc::kNotSinglePrimary:
        return "the group is not in single-primary mode";
      case MetadataErrc::kInvalidVersion:
        return "version is not major.minor.patch";
      case MetadataErrc::kInvalidWeight:
        return "member_weight must be 0..100";
      case MetadataErrc::kStaleTerm:
        return "the entry's term is older than the log's";
      case MetadataErrc::kNoFailover:
        return "no failover is in progress";
      case MetadataErrc::kHasPrimary:
        return "the group has a primary";
      case MetadataErrc::kInvalidForce:
        return "force_members must name members of the view";
      case MetadataErrc::kInvalidPosition:
        return "not a GTID position";
      case MetadataErrc::kInvalidOption:
        return "unknown option or invalid value";
      case MetadataErrc::kNotStopped:
        return "the member is in the view";
      case MetadataErrc::kIsPrimary:
        return "the member is the primary";
    }
    return "unknown metadata error";
  }
};

}  // namespace

const std::error_category& metadata_category() {
  // A function-local constant: stateless, immutable, so not ambient mutable state.
  static const MetadataCategory category;
  return category;
}

std::error_code make_error_code(MetadataErrc e) {
  return {static_cast<int>(e), metadata_category()};
}

}  // namespace grouter::metadata
