#include "app/descriptor_limit.h"

#include <sys/resource.h>

#include <algorithm>

namespace tickets {

uint64_t raiseDescriptorLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) {
    return 1024;
  }
  if (limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
      limit = raised;
    }
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<uint64_t>(limit.rlim_cur);
}

size_t connectionsWithin(size_t wanted, uint64_t limit, size_t reserve) {
  const uint64_t room = limit > reserve * 2 ? limit - reserve : limit / 2;
  return static_cast<size_t>(std::max<uint64_t>(1, std::min<uint64_t>(wanted, room)));
}

}  // namespace tickets
