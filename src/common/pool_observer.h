#pragma once

#include <chrono>
#include <cstddef>

namespace tickets {

// Told about every checkout, return and exhaustion; implementations must be thread-safe and fast.
class PoolObserver {
 public:
  virtual ~PoolObserver() = default;
  virtual void onAcquired(std::chrono::steady_clock::duration waited) = 0;
  virtual void onReleased() = 0;
  virtual void onExhausted(std::chrono::steady_clock::duration waited) = 0;
  // A group-committed batch of `units` writes ran (storage/group_commit.h).
  virtual void onWriteBatch(size_t units) { (void)units; }
};

}  // namespace tickets
