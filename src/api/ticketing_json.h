#pragma once

#include <boost/json/object.hpp>

#include "domain/ticketing.h"

namespace tickets::api {

boost::json::object toJson(const Hold& hold);
// The order as its owner sees it (with the secret only when just created).
boost::json::object toJson(const Order& order, bool include_secret);
boost::json::object toJson(const Ticket& ticket);
boost::json::object toJson(const EventStats& stats);

}  // namespace tickets::api
