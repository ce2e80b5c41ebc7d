#include "metrics/queue_metrics.h"

#include <string>

namespace tickets {
namespace {

prometheus::Labels of(EventId event) { return {{"event_id", std::to_string(event)}}; }

}  // namespace

QueueMetrics::QueueMetrics(prometheus::Registry& registry)
    : joins_(prometheus::BuildCounter()
                 .Name("queue_joins_total")
                 .Help("Buyers who joined an event's waiting room through this replica.")
                 .Register(registry)),
      refused_rate_limited_(
          prometheus::BuildCounter()
              .Name("queue_joins_refused_total")
              .Help("Joins refused: rate_limited (too many from one client), proof_of_work "
                    "(missing, stale or wrong).")
              .Register(registry)
              .Add({{"reason", "rate_limited"}})),
      refused_proof_of_work_(prometheus::BuildCounter()
                                 .Name("queue_joins_refused_total")
                                 .Register(registry)
                                 .Add({{"reason", "proof_of_work"}})),
      waiting_(prometheus::BuildGauge()
                   .Name("queue_waiting")
                   .Help("Buyers waiting in an event's queue (all replicas; estimated).")
                   .Register(registry)),
      admitted_(prometheus::BuildGauge()
                    .Name("queue_admitted")
                    .Help("Buyers admitted from an event's queue since it was created.")
                    .Register(registry)),
      rate_(prometheus::BuildGauge()
                .Name("queue_admit_per_minute")
                .Help("The admission rate an organiser set for an event's queue (0: paused).")
                .Register(registry)),
      oldest_(prometheus::BuildGauge()
                  .Name("queue_oldest_wait_seconds")
                  .Help("How long the buyer first in an event's queue has waited.")
                  .Register(registry)),
      wait_(prometheus::BuildHistogram()
                .Name("queue_wait_seconds")
                .Help("From joining a queue to making a basket with the admission, per buyer.")
                .Register(registry)
                .Add({}, prometheus::Histogram::BucketBoundaries{1, 5, 15, 30, 60, 120, 300, 600,
                                                                 1200, 1800, 3600, 7200})) {}

void QueueMetrics::onJoin(EventId event) { joins_.Add(of(event)).Increment(); }

void QueueMetrics::onJoinRefused(std::string_view reason) {
  (reason == "rate_limited" ? refused_rate_limited_ : refused_proof_of_work_).Increment();
}

void QueueMetrics::onQueue(EventId event, int64_t waiting, int64_t admitted,
                           int64_t admit_per_minute, double oldest_wait_seconds) {
  waiting_.Add(of(event)).Set(static_cast<double>(waiting));
  admitted_.Add(of(event)).Set(static_cast<double>(admitted));
  rate_.Add(of(event)).Set(static_cast<double>(admit_per_minute));
  oldest_.Add(of(event)).Set(oldest_wait_seconds);
}

void QueueMetrics::onQueueClosed(EventId event) {
  const auto labels = of(event);
  for (auto* family : {&waiting_, &admitted_, &rate_, &oldest_}) {
    if (family->Has(labels)) {
      family->Remove(&family->Add(labels));
    }
  }
}

void QueueMetrics::onAdmitted(EventId, double waited_seconds) { wait_.Observe(waited_seconds); }

}  // namespace tickets
