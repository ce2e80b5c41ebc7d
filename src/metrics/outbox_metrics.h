#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <map>
#include <string>
#include <utility>

#include "domain/outbox.h"

namespace tickets {

// outbox_depth, outbox_oldest_age_seconds, outbox_dead_letters (the whole database: every
// replica reports the same) and outbox_deliveries_total{kind,result}. Thread-safe.
// Also emails_sent_total{kind} and emails_failed_total{kind}.
class OutboxMetrics final : public OutboxObserver, public EmailObserver {
 public:
  explicit OutboxMetrics(prometheus::Registry& registry);

  void onDelivery(std::string_view kind, std::string_view result) override;
  void onStats(const OutboxStats& stats, SystemTime now) override;
  void onEmail(std::string_view kind, bool sent) override;

 private:
  prometheus::Gauge& depth_;
  prometheus::Gauge& oldest_age_;
  prometheus::Gauge& dead_;
  std::map<std::pair<std::string, std::string>, prometheus::Counter*, std::less<>> deliveries_;
  std::map<std::pair<std::string, bool>, prometheus::Counter*, std::less<>> emails_;
};

}  // namespace tickets
