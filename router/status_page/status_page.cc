// status_page_file(): the lookup over the embedded files.
#include "router/status_page/status_page.h"

namespace grouter {

std::optional<StaticFile> status_page_file(std::string_view path) {
  if (path == "/") path = "/index.html";
  for (std::size_t i = 0; i < kStatusPageFileCount; ++i) {
    if (kStatusPageFiles[i].path == path) return kStatusPageFiles[i];
  }
  return std::nullopt;
}

}  // namespace grouter
