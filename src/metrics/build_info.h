#pragma once

#include <prometheus/registry.h>

namespace tickets {

// tickets_build_info{version,revision} 1, so dashboards can tell which build serves.
void registerBuildInfo(prometheus::Registry& registry);

}  // namespace tickets
