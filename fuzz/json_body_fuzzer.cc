// JSON request bodies: parseJsonObject against Boost.JSON with the same depth limit; JsonFields
// reading every member, each read checked against the object (what text/integer/array return,
// which problem they raise, that the first problem is kept); and the real request decoders of
// src/api/ticketing_codec.cc (event, ticket type, basket, checkout, check-in, event and
// ticket-type edits): a refusal is a 422 with a valid problem+json body, a success agrees with
// the object.
//
// An input starting with "Content-Type:" carries that header up to the first newline; the rest is
// the body, sent as application/json otherwise.

#include <boost/json.hpp>

#include <algorithm>
#include <climits>
#include <optional>
#include <string>
#include <string_view>

#include "api/json_body.h"
#include "api/ticketing_codec.h"
#include "common/time.h"
#include "domain/catalogue.h"
#include "domain/ticketing_service.h"
#include "fuzz_check.h"
#include "http/problem.h"

namespace {

using tickets::fuzz::fail;
using tickets::fuzz::quoted;
namespace http = tickets::http;
namespace json = boost::json;

std::string_view input_text;  // for failure messages

std::string context() { return "input " + quoted(input_text); }

// The problem's problem+json body is valid JSON (so valid UTF-8) and carries the field.
void checkProblemBody(const http::Problem& problem) {
  http::RequestContext request_context;
  request_context.request_id = "fuzz";
  request_context.path = "/fuzz";
  auto response = http::problemResponse(problem, request_context, 11, true);
  std::string body(response.body().view());
  json::error_code ec;
  auto value = json::parse(body, ec);
  if (ec || !value.is_object()) {
    fail("a problem+json body is valid JSON", context() + " -> " + quoted(body));
  }
  const auto* field = value.as_object().if_contains("field");
  if (!problem.field.empty() && (field == nullptr || !field->is_string() ||
                                 std::string_view(field->as_string()) != problem.field)) {
    fail("a problem+json body names the field", context() + " -> " + quoted(body));
  }
}

// JsonFields over `object`, checking every answer against the object itself.
class CheckedFields {
 public:
  explicit CheckedFields(const json::object& object, std::string prefix = {})
      : object_(object), prefix_(prefix), fields_(object, std::move(prefix)) {}

  std::optional<std::string> text(std::string_view name, bool required, size_t max_size = 10000) {
    auto before = fields_.problem();
    auto got = fields_.text(name, required, max_size);
    const auto* v = object_.if_contains(name);
    bool absent = v == nullptr || v->is_null();
    bool fits = !absent && v->is_string() && v->as_string().size() <= max_size;
    if (got.has_value() != fits || (got && *got != std::string_view(v->as_string()))) {
      ::tickets::fuzz::fail("text() is the member when it is a string within the limit",
                            context() + " member " + quoted(name));
    }
    expectProblem(before, name, absent ? required : !fits);
    return got;
  }

  std::optional<int64_t> integer(std::string_view name, bool required) {
    auto before = fields_.problem();
    auto got = fields_.integer(name, required);
    const auto* v = object_.if_contains(name);
    bool absent = v == nullptr || v->is_null();
    std::optional<int64_t> expected;
    if (!absent && v->is_int64()) {
      expected = v->as_int64();
    } else if (!absent && v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) {
      expected = static_cast<int64_t>(v->as_uint64());
    }
    if (got != expected) {
      ::tickets::fuzz::fail("integer() is the member when it is an integer in int64 range",
                            context() + " member " + quoted(name));
    }
    expectProblem(before, name, absent ? required : !expected);
    return got;
  }

  const json::array* array(std::string_view name, bool required) {
    auto before = fields_.problem();
    const auto* got = fields_.array(name, required);
    const auto* v = object_.if_contains(name);
    bool absent = v == nullptr || v->is_null();
    bool is_array = !absent && v->is_array();
    if ((got != nullptr) != is_array || (got != nullptr && got != &v->as_array())) {
      ::tickets::fuzz::fail("array() is the member when it is an array",
                            context() + " member " + quoted(name));
    }
    expectProblem(before, name, absent ? required : !is_array);
    return got;
  }

  void rejectUnknown(std::initializer_list<std::string_view> known) {
    auto before = fields_.problem();
    fields_.rejectUnknown(known);
    std::optional<std::string> unknown;
    for (const auto& [key, value] : object_) {
      if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
        unknown = std::string(key);
        break;
      }
    }
    expectProblem(before, unknown.value_or(""), unknown.has_value());
    if (unknown && !before && fields_.problem()->field.size() > prefix_.size() + 64) {
      ::tickets::fuzz::fail("an unknown member is named in at most 64 bytes", context());
    }
  }

  void fail(std::string_view name, std::string detail) {
    auto before = fields_.problem();
    fields_.fail(name, std::move(detail));
    expectProblem(before, name, true);
  }

  bool ok() const { return fields_.ok(); }
  const std::optional<http::Problem>& problem() const { return fields_.problem(); }

 private:
  // After a read of `name`: the earlier problem is kept; else there is a new one iff `expected`,
  // a 422 naming prefix + name (an unknown member's name may be shortened).
  void expectProblem(const std::optional<http::Problem>& before, std::string_view name,
                     bool expected) {
    const auto& now = fields_.problem();
    if (before) {
      if (!now || now->field != before->field || now->detail != before->detail) {
        ::tickets::fuzz::fail("the first problem is kept", context());
      }
      return;
    }
    if (now.has_value() != expected) {
      ::tickets::fuzz::fail(
          expected ? "an invalid member is a problem" : "a valid member is not a problem",
          context() + " member " + quoted(name));
    }
    if (now) {
      std::string full = prefix_ + std::string(name);
      if (now->status != http::beast_http::status::unprocessable_entity ||
          now->type != "validation-failed" || now->detail.empty() ||
          !full.starts_with(now->field) ||
          now->field.size() < prefix_.size() + std::min<size_t>(name.size(), 1)) {
        ::tickets::fuzz::fail("a member's problem is a 422 naming the member",
                              context() + " field " + quoted(now->field));
      }
      checkProblemBody(*now);
    }
  }

  const json::object& object_;
  std::string prefix_;
  tickets::api::JsonFields fields_;
};

// --- JsonFields read generically: every member as text, integer and array. ---

void readEveryMember(const json::object& object) {
  CheckedFields fields(object);
  for (const auto& [key, value] : object) {
    const std::string name(key);
    fields.text(name, false, 64);
    fields.integer(name, false);
    fields.array(name, false);
  }
  fields.text("a member that is not there", true);
}

// --- The real request decoders of src/api/ticketing_codec.cc. ---

// A decoder's answer: a problem becomes a valid problem+json body; a success is checked by
// `agrees` against the object it came from.
template <class T, class Agrees>
void checkDecoded(const tickets::api::Decoded<T>& decoded, std::string_view what, Agrees agrees) {
  if (const auto* problem = std::get_if<http::Problem>(&decoded)) {
    if (problem->status != http::beast_http::status::unprocessable_entity) {
      fail(std::string(what) + " refuses with 422", context());
    }
    checkProblemBody(*problem);
  } else if (!agrees(std::get<T>(decoded))) {
    fail(std::string(what) + " decodes what the object says", context());
  }
}

std::optional<std::string_view> textOf(const json::object& object, std::string_view name) {
  const auto* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) {
    return std::nullopt;
  }
  return std::string_view(value->as_string());
}

void decodeAll(const json::object& object) {
  namespace api = tickets::api;
  checkDecoded(api::decodeCheckout(object), "checkout", [&](const tickets::CheckoutRequest& c) {
    return textOf(object, "basket_id") == c.basket_id && textOf(object, "email") == c.email &&
           textOf(object, "name") == c.name && object.size() <= 3;
  });
  checkDecoded(api::decodeCheckIn(object), "check-in", [&](const api::CheckInRequest& c) {
    return textOf(object, "code") == c.code && c.event_id > 0;
  });
  checkDecoded(api::decodeBasket(object), "basket", [&](const std::vector<tickets::BasketLine>& l) {
    const auto* items = object.if_contains("items");
    return items != nullptr && items->is_array() && l.size() <= items->as_array().size() &&
           l.size() <= tickets::TicketingService::kMaxBasketLines + 1;
  });
  checkDecoded(api::decodeTicketType(object), "ticket type", [&](const tickets::NewTicketType& t) {
    return textOf(object, "name") == t.name && textOf(object, "currency") == t.price.currency;
  });
  checkDecoded(api::decodeNewEvent(object), "event", [&](const tickets::NewEvent& e) {
    return textOf(object, "name") == e.name && textOf(object, "venue") == e.venue &&
           e.ticket_types.size() <= 50;
  });
  checkDecoded(api::decodeEventEdit(object), "event edit", [&](const api::EventEdit& e) {
    return e.name == (textOf(object, "name") ? std::optional<std::string>(*textOf(object, "name"))
                                             : std::nullopt);
  });
  checkDecoded(api::decodeTicketTypePatch(object), "ticket type edit",
               [&](const tickets::TicketTypePatch& p) {
                 return p.name == (textOf(object, "name")
                                       ? std::optional<std::string>(*textOf(object, "name"))
                                       : std::nullopt);
               });
}

// --- parseJsonObject ---

// Media types compare without regard to case (RFC 9110 8.3.1).
bool isJsonMediaType(std::string_view media) {
  constexpr std::string_view kJson = "application/json";
  return media.size() == kJson.size() &&
         std::equal(media.begin(), media.end(), kJson.begin(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

std::string_view mediaType(std::string_view content_type) {
  auto media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  return media;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input = tickets::fuzz::asText(data, size);
  input_text = input;
  std::string_view content_type = "application/json";
  std::string_view body = input;
  constexpr std::string_view kHeader = "Content-Type:";
  if (input.starts_with(kHeader)) {
    auto newline = input.find('\n');
    content_type = input.substr(kHeader.size(), newline - kHeader.size());
    while (!content_type.empty() && content_type.front() == ' ') content_type.remove_prefix(1);
    body = newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  }

  http::Request request{http::beast_http::verb::post, "/fuzz", 11};
  request.set(http::beast_http::field::content_type, content_type);
  request.body() = std::string(body);
  auto parsed = tickets::api::parseJsonObject(request);

  json::parse_options options;
  options.max_depth = 16;
  json::error_code ec;
  auto reference = json::parse(body, ec, {}, options);
  auto* problem = std::get_if<http::Problem>(&parsed);
  using status = http::beast_http::status;
  if (!isJsonMediaType(mediaType(request[http::beast_http::field::content_type]))) {
    if (problem == nullptr || problem->status != status::unsupported_media_type) {
      fail("another media type is 415", context());
    }
  } else if (ec) {
    if (problem == nullptr || problem->status != status::bad_request ||
        !problem->detail.starts_with("malformed JSON at byte ")) {
      fail("malformed JSON is 400 saying where", context());
    }
  } else if (!reference.is_object()) {
    if (problem == nullptr || problem->status != status::unprocessable_entity) {
      fail("JSON that is not an object is 422", context());
    }
  } else if (problem != nullptr ||
             // Compared as text: Boost.JSON 1.81 reads 0e800 as NaN, which equals nothing.
             json::serialize(std::get<json::object>(parsed)) != json::serialize(reference)) {
    fail("a JSON object is parsed as Boost.JSON parses it", context());
  }
  if (problem != nullptr) {
    checkProblemBody(*problem);
    return 0;
  }

  const auto& object = std::get<json::object>(parsed);
  readEveryMember(object);
  decodeAll(object);
  return 0;
}
