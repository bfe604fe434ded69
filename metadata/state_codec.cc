// GroupState snapshots to and from JSON: one field list per type, walked by JsonWriter/JsonReader.
#include "metadata/state_codec.h"

#include "metadata/group_options.h"
#include "metadata/json_io.h"

namespace grouter::metadata {
namespace {

// An optional record flattened into its owner's fields, all absent in older snapshots: KEY says
// whether it is there, WALK reads or writes its fields.
template <typename Io, typename T, typename Walk>
void flattened(Io& io, const char* key, std::optional<T>& value, Walk walk) {
  bool present = value.has_value();
  io.maybe(key, present);
  if (!present) {
    value.reset();
    return;
  }
  if (!value) value.emplace();
  walk(*value);
}

}  // namespace

template <typename Io>
void fields(Io& io, Member& m) {
  io("member_id", m.member_id);
  io("name", m.name);
  io("host", m.host);
  io("port", m.port);
  io("state", m.state);
  io("role", m.role);
  io("version", m.version);
  io("weight", m.weight);
  io("state_reason", m.state_reason);
  io("in_view", m.in_view);
  io("state_before_unreachable", m.state_before_unreachable);
  // Absent in older snapshots.
  io.maybe("rejoin_failures", m.rejoin_failures);
  io.maybe("errant", m.errant);
  io.maybe("own_writes", m.own_writes);
  io.maybe("stopped", m.stopped);
  io.maybe("weight_set", m.weight_set);
  flattened(io, "recovery", m.recovery, [&io](RecoveryRecord& r) {
    io.maybe("recovery_donor", r.donor);
    io.maybe("recovery_target", r.target);
    io.maybe("recovery_tried", r.tried);
    io.maybe("recovery_attempts", r.attempts);
    io.maybe("recovery_every_donor_missing_binlogs", r.every_donor_missing_binlogs);
    io.maybe("recovery_last_error", r.last_error);
    io.maybe("recovery_started_at_ms", r.started_at_ms);
    io.maybe("recovery_paused_at_ms", r.paused_at_ms);
  });
}

// A failover in progress, flattened into the state's fields (absent in older snapshots).
template <typename Io>
void failover_fields(Io& io, GroupState& s) {
  flattened(io, "failover", s.failover, [&io](FailoverRecord& f) {
    io.maybe("failover_term", f.term);
    io.maybe("failover_old_primary", f.old_primary);
    io.maybe("failover_waiting", f.waiting);
    io.maybe("failover_missing", f.missing);
    io.maybe("failover_winner", f.winner);
    io.maybe("failover_target", f.target);
    io.maybe("failover_forced_members", f.forced_members);
    io.maybe("failover_may_lose", f.may_lose);
  });
}

template <typename Io>
void fields(Io& io, DecidedOption& o) {
  io("name", o.name);
  io("value", o.value);
}

template <typename Io>
void fields(Io& io, GroupState& s) {
  io("group_name", s.group_name);
  io("single_primary_mode", s.single_primary_mode);
  io("view_id", s.view_id);
  io("primary", s.primary);
  io("members", s.members);
  io.maybe("term", s.term);
  io.maybe("last_primary", s.last_primary);
  failover_fields(io, s);
  io.maybe("options", s.options);
}

std::string encode(const GroupState& state) {
  GroupState copy = state;
  JsonWriter writer;
  writer.json()["format"] = kStateFormat;
  fields(writer, copy);
  return dump_json(writer.json());
}

std::expected<GroupState, std::string> decode_state(std::string_view text) {
  std::string error;
  const auto j = parse_json_object(text, kStateFormat, error);
  if (!j) return std::unexpected("group state: " + error);
  GroupState state;
  JsonReader reader(*j, "group state");
  fields(reader, state);
  if (!reader.ok()) return std::unexpected(reader.error());
  if (auto valid = check_invariants(state); !valid) {
    return std::unexpected("group state: " + valid.error());
  }
  for (const DecidedOption& o : state.options) {
    auto checked = check_option(o.name, o.value);
    if (!checked || checked->option != o.name || checked->value != o.value || o.name == "member_weight")
      return std::unexpected("group state: option " + o.name + " = '" + o.value + "' is invalid");
  }
  return state;
}

}  // namespace grouter::metadata
