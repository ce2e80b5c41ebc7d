#pragma once

#include <vector>

#include "common/time.h"
#include "domain/catalogue.h"

namespace tickets {

// Twenty plausible upcoming events with ticket types, dated from `now`, for a new local database.
std::vector<NewEvent> demoCatalogue(SystemTime now);

}  // namespace tickets
