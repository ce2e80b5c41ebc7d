#include "http/router.h"

#include <gtest/gtest.h>

namespace tickets::http {
namespace {

using verb = beast_http::verb;

Handler noop() {
  return [](const Request&, RequestContext&) -> boost::asio::awaitable<Response> {
    co_return Response{};
  };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router.add(verb::get, "/api/events", noop());
    router.add(verb::get, "/api/events/{id}", noop());
    router.add(verb::patch, "/api/events/{id}", noop());
    router.add(verb::get, "/api/events/{id}/types/{type}", noop());
  }
  Router router;
  RequestContext context;
};

TEST_F(RouterTest, EndpointsAreTemplatesInOrder) {
  EXPECT_EQ(router.endpoints(), (std::vector<std::string>{"/api/events", "/api/events/{id}",
                                                          "/api/events/{id}/types/{type}"}));
}

TEST_F(RouterTest, MatchesLiteralAndPlaceholders) {
  auto m = router.match(verb::get, "/api/events/17/types/4", context);
  ASSERT_EQ(m.outcome, Router::Outcome::kFound);
  EXPECT_EQ(m.endpoint, 2u);
  EXPECT_EQ(context.param_count, 2u);
  EXPECT_EQ(context.params[0], "17");
  EXPECT_EQ(context.params[1], "4");
}

TEST_F(RouterTest, SameTemplateDifferentMethodsShareEndpoint) {
  auto get = router.match(verb::get, "/api/events/1", context);
  auto patch = router.match(verb::patch, "/api/events/1", context);
  EXPECT_EQ(get.endpoint, patch.endpoint);
  EXPECT_NE(get.handler, patch.handler);
}

TEST_F(RouterTest, WrongMethodListsAllowed) {
  auto m = router.match(verb::delete_, "/api/events/1", context);
  EXPECT_EQ(m.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, PATCH, OPTIONS");
  EXPECT_EQ(m.endpoint, 1u);
}

TEST_F(RouterTest, HeadIsServedByGet) {
  auto get = router.match(verb::get, "/api/events/1", context);
  auto head = router.match(verb::head, "/api/events/1", context);
  ASSERT_EQ(head.outcome, Router::Outcome::kFound);
  EXPECT_EQ(head.handler, get.handler);
  EXPECT_EQ(head.endpoint, get.endpoint);
}

TEST_F(RouterTest, HeadOfAnEndpointWithoutGetIsNotAllowed) {
  Router post_only;
  post_only.add(verb::post, "/api/basket", noop());
  auto m = post_only.match(verb::head, "/api/basket", context);
  EXPECT_EQ(m.outcome, Router::Outcome::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "POST, OPTIONS");
}

TEST_F(RouterTest, UnknownPathsAreNotFound) {
  for (const char* path : {"/", "/api", "/api/events/", "/api/events/1/", "/api/events/1/x",
                           "/api/eventsx", "api/events", "//api/events", "/api/events//types/1"}) {
    EXPECT_EQ(router.match(verb::get, path, context).outcome, Router::Outcome::kNotFound) << path;
  }
}

TEST_F(RouterTest, RejectsDuplicateRoutes) {
  EXPECT_THROW(router.add(verb::get, "/api/events", noop()), std::invalid_argument);
}

}  // namespace
}  // namespace tickets::http
