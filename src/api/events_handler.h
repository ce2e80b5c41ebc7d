#pragma once

#include "api/response_cache.h"
#include "api/worker_pool.h"
#include "domain/catalogue_service.h"
#include "http/router.h"

namespace tickets::api {

// GET /api/events and GET /api/events/{id}: the public catalogue, served from a short-lived
// response cache in front of the database.
class EventsHandler {
 public:
  EventsHandler(CatalogueService& catalogue, WorkerPool& workers, ResponseCache& cache)
      : catalogue_(catalogue), workers_(workers), cache_(cache) {}

  boost::asio::awaitable<http::Response> list(const http::Request& request,
                                              http::RequestContext& context);
  boost::asio::awaitable<http::Response> get(const http::Request& request,
                                             http::RequestContext& context);

 private:
  CatalogueService& catalogue_;
  WorkerPool& workers_;
  ResponseCache& cache_;
};

// A path segment that must be a positive integer id, or nullopt.
std::optional<int64_t> parseId(std::string_view text);

}  // namespace tickets::api
