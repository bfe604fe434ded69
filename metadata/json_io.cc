// The JSON walkers: typed, non-throwing reads and writes of object fields.
#include "metadata/json_io.h"

namespace grouter::metadata {

void JsonWriter::operator()(const char* key, const std::optional<std::string>& value) {
  if (value) {
    json_[key] = *value;
  } else {
    json_[key] = nullptr;
  }
}

JsonReader::JsonReader(const nlohmann::json& object, std::string context)
    : object_(object), context_(std::move(context)) {}

void JsonReader::fail_at(const std::string& error) {
  if (error_.empty()) error_ = error;
}

void JsonReader::fail(const char* key, const std::string& problem) {
  fail_at(context_ + ": field \"" + key + "\" " + problem);
}

const nlohmann::json* JsonReader::field(const char* key,
                                        bool (nlohmann::json::*is_type)() const noexcept,
                                        const char* type_name) {
  if (!ok()) return nullptr;
  const auto it = object_.find(key);
  if (it == object_.end()) {
    fail(key, "is missing");
    return nullptr;
  }
  if (!((*it).*is_type)()) {
    fail(key, std::string("is not ") + type_name);
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> JsonReader::text(const char* key) {
  const auto* j = field(key, &nlohmann::json::is_string, "a string");
  if (j == nullptr) return std::nullopt;
  return j->get<std::string>();
}

void JsonReader::operator()(const char* key, std::string& value) {
  if (auto t = text(key)) value = std::move(*t);
}

void JsonReader::operator()(const char* key, bool& value) {
  if (const auto* j = field(key, &nlohmann::json::is_boolean, "a boolean")) value = j->get<bool>();
}

void JsonReader::operator()(const char* key, std::optional<std::string>& value) {
  const auto it = object_.find(key);
  if (ok() && it != object_.end() && it->is_null()) {
    value.reset();
    return;
  }
  if (auto t = text(key)) value = std::move(*t);
}

void JsonReader::operator()(const char* key, MemberState& value) {
  const auto t = text(key);
  if (!t) return;
  const auto state = parse_member_state(*t);
  if (!state) return fail(key, "is not a member state: \"" + *t + "\"");
  value = *state;
}

void JsonReader::operator()(const char* key, MemberRole& value) {
  const auto t = text(key);
  if (!t) return;
  const auto role = parse_member_role(*t);
  if (!role) return fail(key, "is not a member role: \"" + *t + "\"");
  value = *role;
}

void JsonReader::operator()(const char* key, Version& value) {
  const auto t = text(key);
  if (!t) return;
  auto version = parse_version(*t);
  if (!version) return fail(key, "is not a version: \"" + *t + "\"");
  value = std::move(*version);
}

void JsonReader::operator()(const char* key, ViewId& value) {
  const auto t = text(key);
  if (!t) return;
  const auto view_id = parse_view_id(*t);
  if (!view_id) return fail(key, "is not a view id: \"" + *t + "\"");
  value = *view_id;
}

std::optional<nlohmann::json> parse_json_object(std::string_view text, uint64_t format,
                                                std::string& error) {
  auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) {
    error = "not valid JSON";
    return std::nullopt;
  }
  if (!j.is_object()) {
    error = "not a JSON object";
    return std::nullopt;
  }
  const auto it = j.find("format");
  if (it == j.end() || !it->is_number_unsigned()) {
    error = "missing format version";
    return std::nullopt;
  }
  if (it->get<uint64_t>() != format) {
    error = "unsupported format version " + std::to_string(it->get<uint64_t>());
    return std::nullopt;
  }
  return j;
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace grouter::metadata
