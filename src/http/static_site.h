#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/types.h"

namespace tickets::http {

// The web app's built files (WEB_ROOT), read once at start-up and served from memory:
//   - a content type per extension, a strong ETag per file (If-None-Match gives 304);
//   - `NAME.gz` beside a file is its precompressed form, sent to clients that accept gzip;
//   - files under /assets/ carry content hashes in their names and are cached for a year,
//     everything else (index.html) is revalidated on every use;
//   - a path without a file extension that names no file is one of the app's client-side
//     routes and gets index.html; a missing file with an extension is 404;
//   - every answer carries a strict Content-Security-Policy (no inline script or style) and the
//     usual security headers.
// Read-only after load, so safe to share between threads.
class StaticSite {
 public:
  struct Limits {
    size_t max_files = 10000;
    size_t max_bytes = 64 * 1024 * 1024;
  };

  // Throws std::runtime_error naming the problem when `root` has no index.html, is not a
  // directory, or holds more than the limits allow. Symbolic links and dot files are skipped.
  static std::shared_ptr<const StaticSite> load(const std::filesystem::path& root, Limits limits);

  Response serve(const Request& request, const RequestContext& context) const;

  size_t fileCount() const { return files_.size(); }
  size_t byteCount() const { return bytes_; }

 private:
  struct Variant {
    std::shared_ptr<const std::string> body;
    std::string etag;
  };
  struct File {
    std::string content_type;
    std::string cache_control;
    Variant identity;
    std::optional<Variant> gzip;
  };

  const File* find(std::string_view path) const;

  std::map<std::string, File, std::less<>> files_;  // by URL path, e.g. /assets/index-3f2a.js
  size_t bytes_ = 0;
};

// Whether an Accept-Encoding header value accepts gzip (a "gzip" or "*" coding whose q is not 0).
bool acceptsGzip(std::string_view accept_encoding);

}  // namespace tickets::http
