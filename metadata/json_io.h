// The two walkers of the JSON encodings (entry_codec, state_codec): each encoded type has one field
// list, `fields(io, value)`, and JsonWriter / JsonReader walk it to write or to read. JsonReader
// remembers the first missing, mistyped or invalid field as an error naming it; later reads leave
// values alone, so a decoder walks every field and checks ok() once. Nothing here throws.
#pragma once

#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "metadata/group_state.h"
#include "metadata/member.h"

namespace grouter::metadata {

class JsonWriter {
 public:
  void operator()(const char* key, const std::string& value) { json_[key] = value; }
  void operator()(const char* key, bool value) { json_[key] = value; }
  void operator()(const char* key, std::unsigned_integral auto value) {
    json_[key] = static_cast<uint64_t>(value);
  }
  void operator()(const char* key, const std::optional<std::string>& value);
  void operator()(const char* key, MemberState value) { json_[key] = to_string(value); }
  void operator()(const char* key, MemberRole value) { json_[key] = to_string(value); }
  void operator()(const char* key, const Version& value) { json_[key] = value.text; }
  void operator()(const char* key, const ViewId& value) { json_[key] = to_string(value); }

  template <typename T>
  void operator()(const char* key, std::vector<T>& values) {
    nlohmann::json array = nlohmann::json::array();
    for (T& value : values) {
      JsonWriter element;
      fields(element, value);
      array.push_back(std::move(element.json_));
    }
    json_[key] = std::move(array);
  }

  // A field that older encodings lack: written as any other.
  template <typename T>
  void maybe(const char* key, T& value) {
    (*this)(key, value);
  }

  nlohmann::json& json() { return json_; }

 private:
  nlohmann::json json_ = nlohmann::json::object();
};

class JsonReader {
 public:
  // `object` must outlive the reader; `context` prefixes errors ("member_joined").
  JsonReader(const nlohmann::json& object, std::string context);

  void operator()(const char* key, std::string& value);
  void operator()(const char* key, bool& value);
  void operator()(const char* key, std::optional<std::string>& value);
  void operator()(const char* key, MemberState& value);
  void operator()(const char* key, MemberRole& value);
  void operator()(const char* key, Version& value);
  void operator()(const char* key, ViewId& value);

  template <std::unsigned_integral T>
  void operator()(const char* key, T& value) {
    const uint64_t max = std::numeric_limits<T>::max();
    if (const auto* j = field(key, &nlohmann::json::is_number_unsigned, "an unsigned integer")) {
      if (j->get<uint64_t>() > max) return fail(key, "is above " + std::to_string(max));
      value = static_cast<T>(j->get<uint64_t>());
    }
  }

  template <typename T>
  void operator()(const char* key, std::vector<T>& values) {
    const auto* j = field(key, &nlohmann::json::is_array, "an array");
    if (j == nullptr) return;
    for (size_t i = 0; i < j->size() && ok(); ++i) {
      const std::string where = context_ + "." + key + "[" + std::to_string(i) + "]";
      if (!(*j)[i].is_object()) return fail_at(where + ": not an object");
      JsonReader element((*j)[i], where);
      T value;
      fields(element, value);
      if (!element.ok()) return fail_at(element.error());
      values.push_back(std::move(value));
    }
  }

  // A field that older encodings lack: left as it is when absent.
  template <typename T>
  void maybe(const char* key, T& value) {
    if (object_.contains(key)) (*this)(key, value);
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

 private:
  const nlohmann::json* field(const char* key, bool (nlohmann::json::*is_type)() const noexcept,
                              const char* type_name);
  void fail(const char* key, const std::string& problem);
  void fail_at(const std::string& error);
  std::optional<std::string> text(const char* key);

  const nlohmann::json& object_;
  std::string context_;
  std::string error_;
};

// Parses `text` as a JSON object whose "format" is `format`; otherwise sets `error`.
[[nodiscard]] std::optional<nlohmann::json> parse_json_object(std::string_view text,
                                                              uint64_t format, std::string& error);

// Serializes without throwing (invalid UTF-8 in text fields is replaced).
[[nodiscard]] std::string dump_json(const nlohmann::json& j);

}  // namespace grouter::metadata
