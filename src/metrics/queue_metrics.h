#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "domain/waiting_room.h"

namespace tickets {

// The waiting room's metrics: queue_joins_total{event_id}, queue_joins_refused_total{reason},
// and, per event with an enabled queue, queue_waiting, queue_admitted, queue_admit_per_minute
// and queue_oldest_wait_seconds (shared state: every replica reports the same numbers), and
// queue_wait_seconds (join to basket, admitted buyers). Thread-safe.
class QueueMetrics final : public WaitingRoomObserver {
 public:
  explicit QueueMetrics(prometheus::Registry& registry);

  void onJoin(EventId event) override;
  void onJoinRefused(std::string_view reason) override;
  void onQueue(EventId event, int64_t waiting, int64_t admitted, int64_t admit_per_minute,
               double oldest_wait_seconds) override;
  void onQueueClosed(EventId event) override;
  void onAdmitted(EventId event, double waited_seconds) override;

 private:
  prometheus::Family<prometheus::Counter>& joins_;
  prometheus::Counter& refused_rate_limited_;
  prometheus::Counter& refused_proof_of_work_;
  prometheus::Family<prometheus::Gauge>& waiting_;
  prometheus::Family<prometheus::Gauge>& admitted_;
  prometheus::Family<prometheus::Gauge>& rate_;
  prometheus::Family<prometheus::Gauge>& oldest_;
  prometheus::Histogram& wait_;
};

}  // namespace tickets
