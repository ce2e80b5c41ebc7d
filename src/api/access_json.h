#pragma once

#include <boost/json/object.hpp>

#include "domain/access.h"

namespace tickets::api {

// A token as the admin API lists it: never its secret nor its hash.
boost::json::object toJson(const ApiToken& token);

}  // namespace tickets::api
