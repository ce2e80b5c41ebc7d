#include "api/events_handler.h"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "api/errors.h"
#include "api/event_json.h"
#include "common/utf8.h"
#include "domain/cursor.h"
#include "http/problem.h"
#include "http/query.h"
#include "http/response.h"

namespace tickets::api {
namespace {

using http::beast_http::status;

// `X-Cache` says whether this answer read the database (miss) or was served from the response
// cache (hit, including readers that waited for another's read of a cold key).
http::Response cachedJson(ResponseCache::Body body, unsigned version, bool hit = true) {
  auto response = http::jsonResponse(status::ok, body, version);
  response.set(http::beast_http::field::cache_control, "public, max-age=1");
  response.set("X-Cache", hit ? "hit" : "miss");
  return response;
}

}  // namespace

std::variant<ParsedList, http::Problem> parseListQuery(std::string_view target, bool admin) {
  std::string error;
  auto params = http::QueryParams::parse(target, error);
  if (!params) {
    return http::badRequestProblem(error);
  }
  if (auto unknown = params->firstUnknown({"limit", "cursor", "status", "from", "to", "q"})) {
    return http::badRequestProblem("unknown query parameter '" + clippedUtf8(*unknown, 64) + "'",
                                   clippedUtf8(*unknown, 64));
  }
  ParsedList parsed;
  auto& request = parsed.request;
  if (auto limit = params->get("limit")) {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (limit->empty() || limit->size() > 6 || ec != std::errc{} ||
        ptr != limit->data() + limit->size()) {
      return http::badRequestProblem("limit must be an integer between 1 and 100", "limit");
    }
    request.limit = value;
  }
  if (auto status_text = params->get("status")) {
    auto value = parseEventStatus(*status_text);
    if (!value || (*value == EventStatus::kDraft && !admin)) {
      return http::badRequestProblem(admin ? "status must be draft, on_sale, sold_out or cancelled"
                                           : "status must be on_sale, sold_out or cancelled",
                                     "status");
    }
    request.status = value;
  }
  for (auto [name, slot] : {std::pair{"from", &request.from}, std::pair{"to", &request.to}}) {
    if (auto text = params->get(name)) {
      auto value = parseRfc3339(*text);
      if (!value) {
        return http::badRequestProblem(
            std::string(name) + " must be an RFC 3339 date-time such as 2026-12-01T19:00:00Z",
            name);
      }
      *slot = value;
    }
  }
  if (auto q = params->get("q")) {
    request.text = std::string(*q);
  }
  if (auto cursor = params->get("cursor")) {
    request.cursor = std::string(*cursor);
  }
  // One key per distinct answer: the default limit spelt out, the cursor by what it means, the
  // search text in the case that does not change the result.
  std::string cursor_key = request.cursor.value_or("");
  if (auto decoded = request.cursor ? decodeCursor(*request.cursor) : std::nullopt) {
    cursor_key = std::to_string(decoded->starts_at.time_since_epoch().count()) + ":" +
                 std::to_string(decoded->id);
  }
  std::string text_key = request.text;
  std::transform(text_key.begin(), text_key.end(), text_key.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto& key = parsed.cache_key;
  key = "list|" + std::to_string(request.limit.value_or(CatalogueService::kDefaultLimit)) + "|" +
        std::string(request.status ? toString(*request.status) : "") + "|" +
        std::to_string(request.from ? request.from->time_since_epoch().count() : -1) + "|" +
        std::to_string(request.to ? request.to->time_since_epoch().count() : -1) + "|" +
        cursor_key + "|" + text_key;
  request.include_drafts = admin;
  return parsed;
}

std::optional<int64_t> parseId(std::string_view text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || text.size() > 18 || text.front() == '-' || text.front() == '+' ||
      ec != std::errc{} || ptr != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

boost::asio::awaitable<http::Response> EventsHandler::list(const http::Request& request,
                                                           http::RequestContext& context) {
  auto parsed = parseListQuery(context.target, false);
  if (auto* problem = std::get_if<http::Problem>(&parsed)) {
    co_return http::problemResponse(*problem, context, request.version(), true);
  }
  auto& list = std::get<ParsedList>(parsed);
  co_return co_await serveCached(list.cache_key, request, context,
                                 Read{[this, &list]() -> Result<std::string> {
                                        auto listing = catalogue_.listEvents(list.request);
                                        if (!listing) {
                                          return listing.error();
                                        }
                                        return boost::json::serialize(toJson(*listing));
                                      },
                                      !list.request.text.empty()});
}

boost::asio::awaitable<http::Response> EventsHandler::get(const http::Request& request,
                                                          http::RequestContext& context) {
  auto id = parseId(context.params[0]);
  if (!id) {
    co_return http::problemResponse(
        http::badRequestProblem("event id must be a positive integer", "id"), context,
        request.version(), true);
  }
  co_return co_await serveCached("event|" + std::to_string(*id), request, context,
                                 Read{[this, id = *id]() -> Result<std::string> {
                                   auto detail = catalogue_.getEvent(id);
                                   if (!detail) {
                                     return detail.error();
                                   }
                                   return boost::json::serialize(toJson(*detail));
                                 }});
}

boost::asio::awaitable<http::Response> EventsHandler::serveCached(const std::string& key,
                                                                  const http::Request& request,
                                                                  http::RequestContext& context,
                                                                  Read read) {
  const unsigned version = request.version();
  const uint64_t generation = catalogue_.generation();
  auto cached = cache_.get(key, generation);
  if (cached.body && !cached.refresh) {
    co_return cachedJson(cached.body, version);
  }
  if (cached.body) {
    // Refresh ahead of expiry; if that fails, the cached body is still within its bound.
    std::optional<http::Response> fresh;
    try {
      fresh = co_await readAndStore(key, generation, read, request, context);
    } catch (const std::exception&) {
    }
    co_return fresh && fresh->result() == status::ok ? std::move(*fresh)
                                                     : cachedJson(cached.body, version);
  }
  if (!cache_.enabled()) {
    co_return co_await readAndStore(key, generation, read, request, context);
  }
  bool leader = false;
  auto flight = cache_.joinFill(key, generation, leader);
  if (!leader) {
    if (auto body = co_await flight->wait()) {
      co_return cachedJson(body, version);
    }
    // The leader got an error; find out our own.
    co_return co_await readAndStore(key, generation, read, request, context);
  }
  struct FinishFill {
    ResponseCache& cache;
    const std::string& key;
    const std::shared_ptr<ResponseCache::Flight>& flight;
    ResponseCache::Body body;
    ~FinishFill() { cache.finishFill(key, flight, std::move(body)); }
  } finish{cache_, key, flight, nullptr};
  co_return co_await readAndStore(key, generation, read, request, context, &finish.body);
}

boost::asio::awaitable<http::Response> EventsHandler::readAndStore(
    const std::string& key, uint64_t generation, const Read& read, const http::Request& request,
    http::RequestContext& context, ResponseCache::Body* produced) {
  struct SearchSlot {
    std::atomic<size_t>* taken = nullptr;
    ~SearchSlot() {
      if (taken != nullptr) {
        taken->fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  } slot;
  if (read.search) {
    if (searches_.fetch_add(1, std::memory_order_acq_rel) >= max_searches_) {
      searches_.fetch_sub(1, std::memory_order_acq_rel);
      throw Overloaded();
    }
    slot.taken = &searches_;
  }
  const auto read_at = cache_.now();
  auto result = co_await workers_.run([&read] { return read.run(); });
  if (!result) {
    co_return domainErrorResponse(result.error(), request, context);
  }
  auto body = std::make_shared<const std::string>(std::move(*result));
  cache_.put(key, generation, read_at, body);
  if (produced != nullptr) {
    *produced = body;
  }
  co_return cachedJson(body, request.version(), false);
}

}  // namespace tickets::api
