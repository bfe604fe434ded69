// Names of the SQL client's error kinds.
#include "metadata/sql/sql_error.h"

namespace grouter::metadata::sql {

std::string_view kind_name(SqlError::Kind kind) {
  switch (kind) {
    case SqlError::Kind::kRefused:
      return "refused";
    case SqlError::Kind::kUnreachable:
      return "unreachable";
    case SqlError::Kind::kTimeout:
      return "timeout";
    case SqlError::Kind::kConnectionLost:
      return "connection lost";
    case SqlError::Kind::kServer:
      return "server error";
    case SqlError::Kind::kProtocol:
      return "protocol error";
    case SqlError::Kind::kCancelled:
      return "cancelled";
    case SqlError::Kind::kQueueFull:
      return "queue full";
  }
  return "unknown";
}

std::string SqlError::to_string() const {
  std::string text(kind_name(kind));
  if (kind == Kind::kServer) {
    text += " " + std::to_string(code);
    if (!sql_state.empty()) text += " (" + sql_state + ")";
  }
  text += ": ";
  text += message;
  return text;
}

}  // namespace grouter::metadata::sql
