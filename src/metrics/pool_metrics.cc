#include "metrics/pool_metrics.h"

namespace tickets {
namespace {

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

PoolMetrics::PoolMetrics(prometheus::Registry& registry, size_t pool_size)
    : active_(prometheus::BuildGauge()
                  .Name("db_active_connections")
                  .Help("Database connections checked out of the pool now.")
                  .Register(registry)
                  .Add({})),
      max_(prometheus::BuildGauge()
               .Name("db_max_connections")
               .Help("Size of the database connection pool (DB_POOL_SIZE).")
               .Register(registry)
               .Add({})),
      wait_(prometheus::BuildHistogram()
                .Name("db_pool_wait_seconds")
                .Help("Time spent waiting to check a connection out of the pool.")
                .Register(registry)
                .Add({}, prometheus::Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                                 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                                 2.5, 5})),
      exhausted_(prometheus::BuildCounter()
                     .Name("db_pool_exhausted_total")
                     .Help("Checkouts that gave up because no connection became free in time.")
                     .Register(registry)
                     .Add({})),
      batch_(prometheus::BuildHistogram()
                 .Name("db_write_batch_units")
                 .Help("Writes per group-committed database transaction (one commit each).")
                 .Register(registry)
                 .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128})) {
  max_.Set(static_cast<double>(pool_size));
}

void PoolMetrics::onWriteBatch(size_t units) { batch_.Observe(static_cast<double>(units)); }

void PoolMetrics::onAcquired(std::chrono::steady_clock::duration waited) {
  active_.Increment();
  wait_.Observe(seconds(waited));
}

void PoolMetrics::onReleased() { active_.Decrement(); }

void PoolMetrics::onExhausted(std::chrono::steady_clock::duration waited) {
  exhausted_.Increment();
  wait_.Observe(seconds(waited));
}

}  // namespace tickets
