// Query parsing: QueryParams::parse against a reference reading of RFC 9112 origin-form with
// form-style decoding ('+' is a space, %XX a byte), and a round trip of arbitrary names and values
// through percent-encoding; path ids (parseId) against their definition.

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/events_handler.h"
#include "fuzz_check.h"
#include "http/query.h"

namespace {

using tickets::fuzz::fail;
using tickets::fuzz::quoted;
using Params = std::vector<std::pair<std::string, std::string>>;

bool isUnreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool isPchar(char c) {
  static constexpr std::string_view kSubDelims = "!$&'()*+,;=";
  return isUnreserved(c) || kSubDelims.find(c) != std::string_view::npos || c == ':' || c == '@';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Every character is allowed by `allowed` or starts a complete %XX.
template <typename Allowed>
bool wellFormed(std::string_view text, Allowed allowed) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || hexValue(text[i + 1]) < 0 || hexValue(text[i + 2]) < 0) {
        return false;
      }
      i += 2;
    } else if (!allowed(text[i])) {
      return false;
    }
  }
  return true;
}

std::string formDecode(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      out += static_cast<char>(hexValue(text[i + 1]) * 16 + hexValue(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// origin-form = absolute-path [ "?" query ]; the parameters in order, or nullopt if malformed.
std::optional<Params> referenceParams(std::string_view target) {
  auto question = target.find('?');
  std::string_view path = target.substr(0, question);
  if (path.empty() || path[0] != '/' ||
      !wellFormed(path, [](char c) { return isPchar(c) || c == '/'; })) {
    return std::nullopt;
  }
  Params params;
  if (question == std::string_view::npos) {
    return params;
  }
  std::string_view query = target.substr(question + 1);
  if (!wellFormed(query, [](char c) { return isPchar(c) || c == '/' || c == '?'; })) {
    return std::nullopt;
  }
  while (true) {
    auto amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    auto eq = param.find('=');
    params.emplace_back(formDecode(param.substr(0, eq)),
                        eq == std::string_view::npos ? "" : formDecode(param.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return params;
}

bool hasRepeatedName(const Params& params) {
  for (size_t i = 0; i < params.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (params[i].first == params[j].first) return true;
    }
  }
  return false;
}

// The parsed parameters must be exactly `expected` (known valid: at most 32, no repeats).
void checkParsed(const tickets::http::QueryParams& parsed, const Params& expected,
                 std::string_view target) {
  for (const auto& [name, value] : expected) {
    auto got = parsed.get(name);
    if (!got || *got != value) {
      fail("get(name) is the decoded value", quoted(target) + ": " + quoted(name) + " = " +
                                                 quoted(value) + ", got " +
                                                 (got ? quoted(*got) : std::string("nothing")));
    }
  }
  auto first = parsed.firstUnknown({});
  if (expected.empty() ? first.has_value() : (!first || *first != expected.front().first)) {
    fail("firstUnknown({}) is the first name", quoted(target));
  }
  std::string absent = "absent";
  while (std::any_of(expected.begin(), expected.end(),
                     [&](const auto& p) { return p.first == absent; })) {
    absent += '!';
  }
  if (parsed.get(absent) || (expected.size() == 1 && parsed.firstUnknown({expected[0].first}))) {
    fail("no parameter is invented", quoted(target));
  }
}

void checkTarget(std::string_view target) {
  std::string error;
  auto parsed = tickets::http::QueryParams::parse(target, error);
  auto expected = referenceParams(target);
  bool expect_ok = expected && expected->size() <= tickets::http::QueryParams::kMaxParams &&
                   !hasRepeatedName(*expected);
  if (parsed.has_value() != expect_ok) {
    fail(expect_ok ? "parse accepts a well-formed origin-form with at most 32 distinct names"
                   : "parse rejects a malformed target, repeated names or over 32 parameters",
         quoted(target) + (parsed ? "" : ": " + error));
  }
  if (!parsed && error.empty()) {
    fail("a refusal says why", quoted(target));
  }
  if (parsed) {
    checkParsed(*parsed, *expected, target);
  }
}

std::string percentEncode(std::string_view text, bool plus_for_space) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (isUnreserved(static_cast<char>(c))) {
      out += static_cast<char>(c);
    } else if (c == ' ' && plus_for_space) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

void checkEncodedParams(FuzzedDataProvider& provider) {
  Params params;
  std::string target = "/api/events";
  size_t count = provider.ConsumeIntegralInRange<size_t>(0, 40);
  bool plus_for_space = provider.ConsumeBool();
  for (size_t i = 0; i < count && provider.remaining_bytes() > 0; ++i) {
    auto name = provider.ConsumeRandomLengthString(40);
    auto value = provider.ConsumeRandomLengthString(80);
    target += params.empty() ? '?' : '&';
    target += percentEncode(name, plus_for_space) + "=" + percentEncode(value, plus_for_space);
    params.emplace_back(std::move(name), std::move(value));
  }
  std::string error;
  auto parsed = tickets::http::QueryParams::parse(target, error);
  bool expect_ok =
      params.size() <= tickets::http::QueryParams::kMaxParams && !hasRepeatedName(params);
  if (parsed.has_value() != expect_ok) {
    fail("parse(encode(params)) succeeds iff at most 32 distinct names",
         quoted(target) + (parsed ? "" : ": " + error));
  }
  if (parsed) {
    checkParsed(*parsed, params, target);
  }
}

void checkId(std::string_view text) {
  auto id = tickets::api::parseId(text);
  bool digits = !text.empty() && text.size() <= 18 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  int64_t value = 0;
  for (char c : digits ? text : std::string_view()) {
    value = value * 10 + (c - '0');
  }
  bool expect_ok = digits && value > 0;
  if (id.has_value() != expect_ok || (id && *id != value)) {
    fail("parseId accepts exactly 1-18 decimal digits of a positive value", quoted(text));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = tickets::fuzz::asText(data, size);
  checkTarget(text);
  checkId(text);
  FuzzedDataProvider provider(data, size);
  checkEncodedParams(provider);
  return 0;
}
