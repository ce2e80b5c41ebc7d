#pragma once

#include <functional>
#include <string_view>

#include "api/access_guard.h"
#include "api/worker_pool.h"
#include "domain/outbox.h"
#include "domain/ticketing_service.h"
#include "http/types.h"

namespace tickets::api {

// Payments and what follows them:
//   POST /api/payments/stripe/webhook                    the provider's signed events
//   POST /api/admin/orders/{code}/tickets/{ticket}/cancel  staff cancel (and refund) one ticket
//   GET  /api/admin/outbox?state=pending|dead|delivered  side effects waiting or given up on
//   POST /api/admin/outbox/{id}/retry                    a dead message due again now
class PaymentsHandler {
 public:
  // Verifies a webhook's raw body against its signature header and reads its event; unset when
  // no provider is configured (the webhook then answers 503 payments-not-configured).
  using VerifyWebhook =
      std::function<Result<PaymentEvent>(std::string_view body, std::string_view signature)>;

  PaymentsHandler(TicketingService& ticketing, OutboxRepository& outbox, WorkerPool& workers,
                  AccessGuard& guard, const Clock& clock, VerifyWebhook verify)
      : ticketing_(ticketing),
        outbox_(outbox),
        workers_(workers),
        guard_(guard),
        clock_(clock),
        verify_(std::move(verify)) {}

  using Awaitable = boost::asio::awaitable<http::Response>;

  Awaitable stripeWebhook(const http::Request& request, http::RequestContext& context);
  Awaitable cancelTicket(const http::Request& request, http::RequestContext& context);
  Awaitable listOutbox(const http::Request& request, http::RequestContext& context);
  Awaitable retryOutbox(const http::Request& request, http::RequestContext& context);

 private:
  TicketingService& ticketing_;
  OutboxRepository& outbox_;
  WorkerPool& workers_;
  AccessGuard& guard_;
  const Clock& clock_;
  VerifyWebhook verify_;
};

}  // namespace tickets::api
