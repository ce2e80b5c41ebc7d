#pragma once

#include <boost/json/object.hpp>

#include "domain/catalogue.h"
#include "domain/catalogue_service.h"

namespace tickets::api {

boost::json::object toJson(const EventSummary& summary);
boost::json::object toJson(const EventDetail& detail);
boost::json::object toJson(const EventListing& listing);

}  // namespace tickets::api
