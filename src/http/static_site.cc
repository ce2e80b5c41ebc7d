#include "http/static_site.h"

#include <algorithm>
#include <boost/beast/http/field.hpp>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/crypto.h"
#include "http/problem.h"

namespace tickets::http {
namespace {

namespace fs = std::filesystem;

// No inline script or style anywhere; the door scanner's camera is the page's own; images may be
// blobs (downloaded PDFs, QR codes); nothing may frame the shop.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; media-src 'self' blob:; worker-src 'self' blob:; font-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";

std::string_view contentType(std::string_view extension) {
  static const std::map<std::string_view, std::string_view, std::less<>> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".webp", "image/webp"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".wasm", "application/wasm"},
  };
  auto it = kTypes.find(extension);
  return it == kTypes.end() ? std::string_view("application/octet-stream") : it->second;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("cannot read " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return std::move(text).str();
}

std::string strongEtag(std::string_view body, std::string_view suffix) {
  return "\"" + sha256Hex(body).substr(0, 20) + std::string(suffix) + "\"";
}

// Whether an If-None-Match value names `etag` (or is "*"). Weak comparison, as RFC 9110 asks
// for If-None-Match.
bool etagMatches(std::string_view if_none_match, std::string_view etag) {
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos) {
      comma = if_none_match.size();
    }
    std::string_view candidate = if_none_match.substr(pos, comma - pos);
    while (!candidate.empty() && (candidate.front() == ' ' || candidate.front() == '\t')) {
      candidate.remove_prefix(1);
    }
    while (!candidate.empty() && (candidate.back() == ' ' || candidate.back() == '\t')) {
      candidate.remove_suffix(1);
    }
    if (candidate.starts_with("W/")) {
      candidate.remove_prefix(2);
    }
    if (candidate == "*" || candidate == etag) {
      return true;
    }
    pos = comma + 1;
  }
  return false;
}

void setSecurityHeaders(Response& response) {
  response.set("Content-Security-Policy", kContentSecurityPolicy);
  response.set("X-Content-Type-Options", "nosniff");
  response.set("X-Frame-Options", "DENY");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Cross-Origin-Opener-Policy", "same-origin");
  response.set("Permissions-Policy", "camera=(self), microphone=(), geolocation=(), payment=()");
}

}  // namespace

bool acceptsGzip(std::string_view accept_encoding) {
  size_t pos = 0;
  while (pos < accept_encoding.size()) {
    size_t comma = accept_encoding.find(',', pos);
    if (comma == std::string_view::npos) {
      comma = accept_encoding.size();
    }
    std::string element(accept_encoding.substr(pos, comma - pos));
    pos = comma + 1;
    for (char& c : element) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    element.erase(std::remove(element.begin(), element.end(), ' '), element.end());
    element.erase(std::remove(element.begin(), element.end(), '\t'), element.end());
    const size_t semicolon = element.find(';');
    const std::string coding = element.substr(0, semicolon);
    if (coding != "gzip" && coding != "*") {
      continue;
    }
    if (semicolon != std::string::npos) {
      const std::string params = element.substr(semicolon + 1);
      if (params.starts_with("q=")) {
        const std::string q = params.substr(2);
        // q=0, q=0.0, q=0.00, q=0.000 refuse the coding.
        if (!q.empty() && q.find_first_not_of("0.") == std::string::npos) {
          continue;
        }
      }
    }
    return true;
  }
  return false;
}

std::shared_ptr<const StaticSite> StaticSite::load(const fs::path& root, Limits limits) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw std::runtime_error("WEB_ROOT " + root.string() + " is not a directory");
  }
  if (!fs::is_regular_file(root / "index.html", ec)) {
    throw std::runtime_error("WEB_ROOT " + root.string() +
                             " has no index.html (build the web app: npm run build in web/)");
  }
  auto site = std::make_shared<StaticSite>();
  std::map<std::string, std::string> compressed;  // URL path of the original -> gzip bytes
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::none, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    if (name.starts_with('.') || it->is_symlink()) {
      if (it->is_directory()) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!it->is_regular_file()) {
      continue;
    }
    std::string url = "/" + fs::relative(path, root).generic_string();
    std::string body = readFile(path);
    site->bytes_ += body.size();
    if (site->files_.size() + compressed.size() >= limits.max_files ||
        site->bytes_ > limits.max_bytes) {
      throw std::runtime_error("WEB_ROOT " + root.string() + " holds more than " +
                               std::to_string(limits.max_files) + " files or " +
                               std::to_string(limits.max_bytes) + " bytes");
    }
    if (url.ends_with(".gz")) {
      compressed.emplace(url.substr(0, url.size() - 3), std::move(body));
      continue;
    }
    File file;
    file.content_type = contentType(path.extension().string());
    file.cache_control = url.starts_with("/assets/") ? kImmutable : kRevalidate;
    file.identity.etag = strongEtag(body, "");
    file.identity.body = std::make_shared<const std::string>(std::move(body));
    site->files_.emplace(std::move(url), std::move(file));
  }
  if (ec) {
    throw std::runtime_error("cannot read WEB_ROOT " + root.string() + ": " + ec.message());
  }
  for (auto& [url, bytes] : compressed) {
    auto it = site->files_.find(url);
    if (it == site->files_.end()) {
      continue;  // a .gz of nothing we serve
    }
    Variant gzip;
    // The same representation's other encoding: its own strong validator.
    gzip.etag = strongEtag(*it->second.identity.body, "-gz");
    gzip.body = std::make_shared<const std::string>(std::move(bytes));
    it->second.gzip = std::move(gzip);
  }
  return site;
}

const StaticSite::File* StaticSite::find(std::string_view path) const {
  auto it = files_.find(path);
  if (it != files_.end()) {
    return &it->second;
  }
  if (path.ends_with('/')) {
    it = files_.find(std::string(path) + "index.html");
    return it == files_.end() ? nullptr : &it->second;
  }
  return nullptr;
}

Response StaticSite::serve(const Request& request, const RequestContext& context) const {
  const std::string_view path = context.path;
  const File* file = find(path);
  if (file == nullptr) {
    const std::string_view last = path.substr(path.rfind('/') + 1);
    if (last.find('.') != std::string_view::npos || path.find("/assets/") == 0) {
      auto response = problemResponse(notFoundProblem("no such file"), context, request.version(),
                                      request.keep_alive());
      setSecurityHeaders(response);
      return response;
    }
    file = find("/index.html");  // one of the app's own routes: the app decides what it shows
  }
  const bool gzip = file->gzip && acceptsGzip(request[beast_http::field::accept_encoding]);
  const Variant& variant = gzip ? *file->gzip : file->identity;

  Response response{beast_http::status::ok, request.version()};
  response.keep_alive(request.keep_alive());
  response.set(beast_http::field::etag, variant.etag);
  response.set(beast_http::field::cache_control, file->cache_control);
  if (file->gzip) {
    response.set(beast_http::field::vary, "Accept-Encoding");
  }
  setSecurityHeaders(response);
  const auto if_none_match = request[beast_http::field::if_none_match];
  if (!if_none_match.empty() && etagMatches(if_none_match, variant.etag)) {
    response.result(beast_http::status::not_modified);
    return response;
  }
  response.set(beast_http::field::content_type, file->content_type);
  if (gzip) {
    response.set(beast_http::field::content_encoding, "gzip");
  }
  response.body().share(variant.body);
  response.prepare_payload();
  return response;
}

}  // namespace tickets::http
