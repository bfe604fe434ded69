// The error category of group/ and the message of a GroupLogError.
#include "group/group_log_error.h"

namespace grouter::group {
namespace {

class GroupLogCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "group_log"; }

  std::string message(int value) const override {
    switch (static_cast<GroupLogErrc>(value)) {
      case GroupLogErrc::kEntryTooLarge:
        return "entry too large";
      case GroupLogErrc::kBadHeader:
        return "bad log header";
      case GroupLogErrc::kCorruptRecord:
        return "corrupt log record";
      case GroupLogErrc::kBadSnapshot:
        return "bad snapshot";
      case GroupLogErrc::kMissingLog:
        return "log file missing";
      case GroupLogErrc::kIndexOutOfRange:
        return "index out of range";
      case GroupLogErrc::kReentrant:
        return "called from inside an apply callback";
      case GroupLogErrc::kFailed:
        return "log failed earlier; reopen it";
      case GroupLogErrc::kLocked:
        return "log folder in use by another process";
    }
    return "unknown group_log error";
  }
};

}  // namespace

const std::error_category& group_log_category() {
  // A function-local constant: stateless and immutable, so no ambient mutable state.
  static const GroupLogCategory category;
  return category;
}

std::error_code make_error_code(GroupLogErrc e) {
  return {static_cast<int>(e), group_log_category()};
}

std::string GroupLogError::message() const {
  std::string text = code.message();
  if (!path.empty()) {
    text += ": " + path + " at byte " + std::to_string(offset);
  }
  if (!detail.empty()) {
    text += ": " + detail;
  }
  return text;
}

GroupLogError group_error(GroupLogErrc e, std::string detail) {
  return GroupLogError{make_error_code(e), {}, 0, std::move(detail)};
}

}  // namespace grouter::group
