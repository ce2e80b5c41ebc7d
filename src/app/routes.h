#pragma once

#include <spdlog/logger.h>

#include <memory>

#include "api/access_handler.h"
#include "api/admin_catalogue_handler.h"
#include "api/buyer_handler.h"
#include "api/door_handler.h"
#include "api/events_handler.h"
#include "api/operations_handler.h"
#include "api/payments_handler.h"
#include "api/queue_handler.h"
#include "common/fault_injector.h"
#include "http/concurrency_limit.h"
#include "http/router.h"

namespace tickets {

// The handlers the routes call; they outlive the router.
struct Handlers {
  api::OperationsHandler& operations;
  api::EventsHandler& events;
  api::BuyerHandler& buyer;
  api::DoorHandler& door;
  api::AdminCatalogueHandler& organiser;
  api::AccessHandler& tokens;
  api::QueueHandler& queue;
  api::PaymentsHandler& payments;
};

// The route table: every endpoint of the service. /healthz, /readiness and /metrics are bare;
// the application's routes get the error boundary and, when `faults` is given (drills only),
// injectable faults. The selling path (POST /api/basket, POST /api/checkout) is admitted
// through `selling`, its adaptive concurrency limit.
void addRoutes(http::Router& router, const Handlers& h, const std::shared_ptr<spdlog::logger>& log,
               const FaultInjector* faults, http::AdaptiveConcurrencyLimit& selling);

}  // namespace tickets
