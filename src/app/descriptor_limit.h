#pragma once

#include <cstddef>
#include <cstdint>

namespace tickets {

// Raises this process's soft limit of open file descriptors (RLIMIT_NOFILE) to its hard limit,
// and returns the soft limit now in force.
uint64_t raiseDescriptorLimit();

// The most client connections that fit under a descriptor `limit` when `reserve` descriptors
// are kept for everything else (database connections, log, listener): `wanted`, or fewer.
// Always at least 1.
size_t connectionsWithin(size_t wanted, uint64_t limit, size_t reserve);

}  // namespace tickets
