// libFuzzer target `classifier`: classifies arbitrary bytes as a COM_QUERY text. It must never
// crash, read out of bounds or hang, and what it says must hold together: grouter-only statements
// are never forwarded, unreadable text goes to the primary, values are set only for their kinds.
// Input layout: see tests/fuzz/README.md.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "routing/classifier.h"

using namespace grouter::routing;

namespace {

void expect(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "classifier invariant broken: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view sql(reinterpret_cast<const char*>(data), size);
  const Classification c = classify(sql);

  const bool router =
      c.kind == StatementKind::kSetConsistency || c.kind == StatementKind::kSelectConsistency ||
      c.kind == StatementKind::kRouterSetAccessMode || c.kind == StatementKind::kRouterInvalid;
  expect(router == (c.target == Target::kRouter),
         "router statements and only they stay in grouter");
  if (c.kind == StatementKind::kUnknown || c.kind == StatementKind::kMultiStatement ||
      c.kind == StatementKind::kWrite || c.kind == StatementKind::kBegin) {
    expect(c.target == Target::kPrimary, "unknown, multi-statement and writes go to the primary");
  }
  if (c.pins_session) {
    expect(c.target == Target::kPrimary || c.kind == StatementKind::kSetAutocommit,
           "a pinning statement runs on the primary");
  }
  expect(c.access_mode.has_value() == (c.kind == StatementKind::kRouterSetAccessMode),
         "access_mode only for ROUTER SET access_mode");
  expect(!c.consistency || c.kind == StatementKind::kSetConsistency,
         "consistency only for SET group_replication_consistency");
  expect(!c.autocommit || c.kind == StatementKind::kSetAutocommit, "autocommit only for SET");
  expect(c.column_name.empty() == (c.kind != StatementKind::kSelectConsistency),
         "a column name only for SELECT @@group_replication_consistency");
  expect(c.column_name.size() <= size, "the column name comes from the text");
  return 0;
}
