#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "common/pool_observer.h"

namespace tickets {

// The connection pool's saturation signals: db_active_connections, db_max_connections,
// db_pool_wait_seconds and db_pool_exhausted_total; and db_write_batch_units, how many writes
// each group-committed transaction carried. Thread-safe.
class PoolMetrics final : public PoolObserver {
 public:
  PoolMetrics(prometheus::Registry& registry, size_t pool_size);

  void onAcquired(std::chrono::steady_clock::duration waited) override;
  void onReleased() override;
  void onExhausted(std::chrono::steady_clock::duration waited) override;
  void onWriteBatch(size_t units) override;

 private:
  prometheus::Gauge& active_;
  prometheus::Gauge& max_;
  prometheus::Histogram& wait_;
  prometheus::Counter& exhausted_;
  prometheus::Histogram& batch_;
};

}  // namespace tickets
