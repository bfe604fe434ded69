// The status page's files (index.html, status.css, status.js beside this header), built into the
// binary by embed.py (router/meson.build) so that grouter serves them itself, offline.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace grouter {

struct StaticFile {
  std::string_view path;  // "/index.html", "/status.css", ...
  std::string_view content_type;
  std::string_view body;
};

// The embedded files, in the generated status_page_files.cc.
extern const StaticFile kStatusPageFiles[];
extern const std::size_t kStatusPageFileCount;

// The file served at PATH ("/" is "/index.html"); nullopt for any other path.
[[nodiscard]] std::optional<StaticFile> status_page_file(std::string_view path);

}  // namespace grouter
