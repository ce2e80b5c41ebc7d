// Database URLs: parseDatabaseUrl classifies exactly by the documented prefixes, and
// redactDatabaseUrl never lets a password of a PostgreSQL URL (the URLs the server logs) through.
// A password is read the way libpq reads a connection URI (the
// user info ends at the first '@' before any '/'; `password` among the query parameters, with
// percent-decoded names and values) and, for the user info, the way a WHATWG URL parser does (it
// ends at the last '@' of the authority); raw and percent-decoded. Each input is checked as it is
// and as a URL assembled from its bytes with passwords in user info and query.

#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "storage/database_url.h"

namespace {

using tickets::fuzz::fail;
using tickets::fuzz::quoted;

struct Span {
  size_t begin;
  size_t end;
};

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// libpq's decoding: %XX is a byte, anything else stays (libpq refuses a bad escape outright, which
// leaves nothing to leak).
std::string percentDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hexValue(text[i + 1]) >= 0 &&
        hexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The password of the user info [begin, end), if it has one.
void userInfoPassword(std::string_view url, size_t begin, size_t end, std::vector<Span>& out) {
  auto colon = url.substr(begin, end - begin).find(':');
  if (colon != std::string_view::npos) {
    out.push_back({begin + colon + 1, end});
  }
}

// Passwords in the query parameters starting at `begin` and ending at `end`.
void queryPasswords(std::string_view url, size_t begin, size_t end, std::vector<Span>& out) {
  while (begin <= end) {
    auto amp = url.substr(begin, end - begin).find('&');
    size_t stop = amp == std::string_view::npos ? end : begin + amp;
    auto param = url.substr(begin, stop - begin);
    auto eq = param.find('=');
    if (eq != std::string_view::npos && percentDecode(param.substr(0, eq)) == "password") {
      out.push_back({begin + eq + 1, stop});
    }
    begin = stop + 1;
  }
}

// Every password of every reading, as spans of `url`. One vector per reading, so that the ideal
// redaction of a reading replaces exactly its own passwords.
std::vector<std::vector<Span>> passwordReadings(std::string_view url) {
  std::vector<std::vector<Span>> readings;
  auto scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return readings;
  }
  size_t start = scheme + 3;

  std::vector<Span> libpq;
  auto stop = url.find_first_of("@/", start);
  size_t rest = start;
  if (stop != std::string_view::npos && url[stop] == '@') {
    userInfoPassword(url, start, stop, libpq);
    rest = stop + 1;
  }
  auto question = url.find('?', rest);
  if (question != std::string_view::npos) {
    queryPasswords(url, question + 1, url.size(), libpq);
  }
  readings.push_back(std::move(libpq));

  std::vector<Span> whatwg;
  auto authority_end = url.find_first_of("/?#", start);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  auto at = url.substr(start, authority_end - start).rfind('@');
  if (at != std::string_view::npos) {
    userInfoPassword(url, start, start + at, whatwg);
  }
  readings.push_back(std::move(whatwg));
  return readings;
}

void checkRedaction(std::string_view url) {
  if (!url.starts_with("postgres://") && !url.starts_with("postgresql://")) {
    return;
  }
  std::string redacted = tickets::redactDatabaseUrl(url);
  for (const auto& spans : passwordReadings(url)) {
    std::string ideal;
    size_t copied = 0;
    for (const auto& span : spans) {
      if (span.begin < copied) continue;  // nested in an earlier span
      ideal.append(url.substr(copied, span.begin - copied));
      ideal += "***";
      copied = span.end;
    }
    ideal.append(url.substr(copied));
    for (const auto& span : spans) {
      std::string raw(url.substr(span.begin, span.end - span.begin));
      for (const std::string& secret : {raw, percentDecode(raw)}) {
        // A secret with a '*' could be made of the *** that replaced another; those are left out.
        if (!secret.empty() && secret.find('*') == std::string::npos &&
            redacted.find(secret) != std::string::npos && ideal.find(secret) == std::string::npos) {
          fail("redactDatabaseUrl never shows a password",
               quoted(url) + " -> " + quoted(redacted) + " shows " + quoted(secret));
        }
      }
    }
  }
}

void checkParse(std::string_view url) {
  std::string error;
  auto parsed = tickets::parseDatabaseUrl(url, error);
  bool postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
  if (postgres) {
    if (!parsed || parsed->kind != tickets::DatabaseUrl::Kind::kPostgres || parsed->target != url) {
      fail("a postgres:// or postgresql:// URL is PostgreSQL with the whole URL", quoted(url));
    }
    return;
  }
  if (url.starts_with("sqlite:")) {
    std::string_view path = url.substr(7);
    if (path.starts_with("//")) path.remove_prefix(2);
    if (path.empty() ? parsed.has_value()
                     : (!parsed || parsed->kind != tickets::DatabaseUrl::Kind::kSqlite ||
                        parsed->target != path)) {
      fail("sqlite:PATH and sqlite://PATH are SQLite at PATH; an empty path is refused",
           quoted(url));
    }
  } else if (parsed) {
    fail("anything but sqlite:, postgres:// and postgresql:// is refused", quoted(url));
  }
  if (!parsed && error.empty()) {
    fail("a refusal says why", quoted(url));
  }
}

// A URL with a password in user info and query, from the fuzzer's bytes.
std::string assembleUrl(FuzzedDataProvider& provider) {
  static constexpr std::string_view kSchemes[] = {"postgres://", "postgresql://"};
  std::string url(provider.PickValueInArray(kSchemes));
  auto user = provider.ConsumeRandomLengthString(16);
  auto password = provider.ConsumeRandomLengthString(24);
  auto host = provider.ConsumeRandomLengthString(24);
  auto path = provider.ConsumeRandomLengthString(16);
  auto query = provider.ConsumeRandomLengthString(24);
  auto query_password = provider.ConsumeRandomLengthString(24);
  auto layout = provider.ConsumeIntegral<uint8_t>();
  if (layout & 1) {
    url += user + ":" + password + "@";
  }
  url += host + "/" + path;
  if (layout & 2) {
    url += "?" + query;
    url += (layout & 4) ? "&password=" : "&%70assword=";
    url += query_password;
  }
  return url;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view url = tickets::fuzz::asText(data, size);
  checkParse(url);
  checkRedaction(url);

  FuzzedDataProvider provider(data, size);
  std::string assembled = assembleUrl(provider);
  checkParse(assembled);
  checkRedaction(assembled);
  return 0;
}
