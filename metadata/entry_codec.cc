// Entries to and from JSON: one field list per entry type, walked by JsonWriter and JsonReader.
#include "metadata/entry_codec.h"

#include <utility>

#include "metadata/json_io.h"

namespace grouter::metadata {

template <typename Io>
void fields(Io& io, NodeConfig& e) {
  io("name", e.name);
  io("host", e.host);
  io("port", e.port);
  io("weight", e.weight);
  io("member_id", e.member_id);
}

template <typename Io>
void fields(Io& io, Bootstrap& e) {
  io("group_name", e.group_name);
  io("single_primary_mode", e.single_primary_mode);
  io("view_fixed", e.view_fixed);
  io("nodes", e.nodes);
}

template <typename Io>
void fields(Io& io, MemberAdded& e) {
  fields(io, e.node);
}

// Entries that name one member and nothing else.
template <typename Io, typename E>
requires std::same_as<E, MemberJoined> || std::same_as<E, MemberOnline> ||
    std::same_as<E, MemberSuspected> || std::same_as<E, MemberReachable> ||
    std::same_as<E, MemberStarted>
void fields(Io& io, E& e) {
  io("member_id", e.member_id);
}

// Entries that name one member and say why.
template <typename Io, typename E>
requires std::same_as<E, MemberExpelled> || std::same_as<E, MemberLeft> ||
    std::same_as<E, MemberStopped>
void fields(Io& io, E& e) {
  io("member_id", e.member_id);
  io("reason", e.reason);
}

template <typename Io>
void fields(Io& io, MemberError& e) {
  io("member_id", e.member_id);
  io("reason", e.reason);
  io.maybe("errant", e.errant);
  io.maybe("recovery_failed", e.recovery_failed);
}

template <typename Io>
void fields(Io& io, RecoveryStarted& e) {
  io("member_id", e.member_id);
  io("donor", e.donor);
  io("target", e.target);
  io("at_ms", e.at_ms);
}

template <typename Io>
void fields(Io& io, RecoveryFailed& e) {
  io("member_id", e.member_id);
  io("error", e.error);
  io("missing_binlogs", e.missing_binlogs);
}

template <typename Io>
void fields(Io& io, RecoveryPaused& e) {
  io("member_id", e.member_id);
  io("at_ms", e.at_ms);
}

template <typename Io>
void fields(Io& io, OwnWritesRecorded& e) {
  io("member_id", e.member_id);
  io("position", e.position);
}

template <typename Io>
void fields(Io& io, PrimaryElected& e) {
  io("member_id", e.member_id);
  io("reason", e.reason);
  io.maybe("provisional", e.provisional);
}

template <typename Io>
void fields(Io& io, MemberVersionObserved& e) {
  io("member_id", e.member_id);
  io("version", e.version);
}

template <typename Io>
void fields(Io& io, MemberWeightChanged& e) {
  io("member_id", e.member_id);
  io("weight", e.weight);
}

template <typename Io>
void fields(Io& io, OptionChanged& e) {
  io("option", e.option);
  io("value", e.value);
}

template <typename Io>
void fields(Io& io, TermBegun& e) {
  io("term", e.term);
}

template <typename Io>
void fields(Io& io, FailoverStarted& e) {
  io("term", e.term);
  io("old_primary", e.old_primary);
}

template <typename Io>
void fields(Io& io, FailoverWaiting& e) {
  io("term", e.term);
  io("reason", e.reason);
  io("missing", e.missing);
}

template <typename Io>
void fields(Io& io, FailoverDecided& e) {
  io("term", e.term);
  io("winner", e.winner);
  io("target", e.target);
  io("may_lose", e.may_lose);
}

template <typename Io>
void fields(Io& io, MembersForced& e) {
  io("members", e.members);
}

namespace {

// Decodes the alternative of Entry whose type name is `type`, trying index I onwards.
template <size_t I = 0>
std::expected<Entry, std::string> decode_alternative(const nlohmann::json& j,
                                                     const std::string& type) {
  if constexpr (I == std::variant_size_v<Entry>) {
    return std::unexpected("unknown entry type \"" + type + "\"");
  } else {
    Entry entry(std::in_place_index<I>);
    if (entry_type(entry) != type) return decode_alternative<I + 1>(j, type);
    JsonReader reader(j, type);
    fields(reader, std::get<I>(entry));
    if (!reader.ok()) return std::unexpected(reader.error());
    return entry;
  }
}

}  // namespace

std::string encode(const Entry& entry) {
  Entry copy = entry;
  JsonWriter writer;
  writer.json()["format"] = kEntryFormat;
  writer.json()["type"] = std::string(entry_type(entry));
  std::visit([&](auto& e) { fields(writer, e); }, copy);
  return dump_json(writer.json());
}

std::expected<Entry, std::string> decode_entry(std::string_view text) {
  std::string error;
  const auto j = parse_json_object(text, kEntryFormat, error);
  if (!j) return std::unexpected("entry: " + error);
  const auto type = j->find("type");
  if (type == j->end() || !type->is_string()) return std::unexpected("entry: missing type");
  return decode_alternative(*j, type->get<std::string>());
}

}  // namespace grouter::metadata
