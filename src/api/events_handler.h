#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <variant>

#include "api/response_cache.h"
#include "api/worker_pool.h"
#include "domain/catalogue_service.h"
#include "http/problem.h"
#include "http/router.h"

namespace tickets::api {

// GET /api/events and GET /api/events/{id}: the public catalogue, served from a short-lived
// response cache in front of the database. Text searches (q=) that miss the cache are limited to
// `max_searches` at once (more are shed with 429), so that a flood of distinct searches cannot
// take the workers baskets and checkouts need.
class EventsHandler {
 public:
  EventsHandler(CatalogueService& catalogue, WorkerPool& workers, ResponseCache& cache,
                size_t max_searches)
      : catalogue_(catalogue), workers_(workers), cache_(cache), max_searches_(max_searches) {}

  boost::asio::awaitable<http::Response> list(const http::Request& request,
                                              http::RequestContext& context);
  boost::asio::awaitable<http::Response> get(const http::Request& request,
                                             http::RequestContext& context);

 private:
  // The JSON body for `key` from the cache, or from `read` run on a worker thread.
  // A read and whether it is a text search.
  struct Read {
    std::function<Result<std::string>()> run;
    bool search = false;
  };

  boost::asio::awaitable<http::Response> serveCached(const std::string& key,
                                                     const http::Request& request,
                                                     http::RequestContext& context, Read read);
  boost::asio::awaitable<http::Response> readAndStore(const std::string& key, uint64_t generation,
                                                      const Read& read,
                                                      const http::Request& request,
                                                      http::RequestContext& context,
                                                      ResponseCache::Body* produced = nullptr);

  CatalogueService& catalogue_;
  WorkerPool& workers_;
  ResponseCache& cache_;
  const size_t max_searches_;
  std::atomic<size_t> searches_{0};
};

// A listing request parsed from a query string, and the key of its answer in the cache.
struct ParsedList {
  EventListRequest request;
  std::string cache_key;
};
// `admin`: the admin listing, which may ask for drafts and always includes them.
std::variant<ParsedList, http::Problem> parseListQuery(std::string_view target, bool admin);

// A path segment that must be a positive integer id, or nullopt.
std::optional<int64_t> parseId(std::string_view text);

}  // namespace tickets::api
