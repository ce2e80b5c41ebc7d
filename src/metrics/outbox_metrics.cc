#include "metrics/outbox_metrics.h"

namespace tickets {

OutboxMetrics::OutboxMetrics(prometheus::Registry& registry)
    : depth_(prometheus::BuildGauge()
                 .Name("outbox_depth")
                 .Help("Outbox messages (refunds, emails) not yet delivered and not dead, in the "
                       "whole database.")
                 .Register(registry)
                 .Add({})),
      oldest_age_(prometheus::BuildGauge()
                      .Name("outbox_oldest_age_seconds")
                      .Help("Age of the oldest outbox message not yet delivered (0 when none).")
                      .Register(registry)
                      .Add({})),
      dead_(prometheus::BuildGauge()
                .Name("outbox_dead_letters")
                .Help("Outbox messages given up on after their last attempt, waiting for an "
                      "operator (POST /api/admin/outbox/{id}/retry).")
                .Register(registry)
                .Add({})) {
  auto& deliveries = prometheus::BuildCounter()
                         .Name("outbox_deliveries_total")
                         .Help(
                             "Outbox delivery attempts by kind and result: delivered, failed "
                             "(retried later), dead (given up on).")
                         .Register(registry);
  for (auto kind :
       {outbox_kind::kRefund, outbox_kind::kExpireSession, outbox_kind::kOrderConfirmation,
        outbox_kind::kRefundNotice, outbox_kind::kCancellationNotice}) {
    for (const char* result : {"delivered", "failed", "dead"}) {
      deliveries_[{std::string(kind), result}] =
          &deliveries.Add({{"kind", std::string(kind)}, {"result", result}});
    }
  }
  auto& sent = prometheus::BuildCounter()
                   .Name("emails_sent_total")
                   .Help("Emails to buyers accepted by the SMTP server, by kind.")
                   .Register(registry);
  auto& failed = prometheus::BuildCounter()
                     .Name("emails_failed_total")
                     .Help(
                         "Attempts to send an email to a buyer that failed (retried from the "
                         "outbox), by kind.")
                     .Register(registry);
  for (const char* kind : {"order_confirmation", "refund", "cancellation"}) {
    emails_[{kind, true}] = &sent.Add({{"kind", kind}});
    emails_[{kind, false}] = &failed.Add({{"kind", kind}});
  }
}

void OutboxMetrics::onEmail(std::string_view kind, bool sent) {
  if (auto it = emails_.find(std::make_pair(std::string(kind), sent)); it != emails_.end()) {
    it->second->Increment();
  }
}

void OutboxMetrics::onDelivery(std::string_view kind, std::string_view result) {
  if (auto it = deliveries_.find(std::make_pair(std::string(kind), std::string(result)));
      it != deliveries_.end()) {
    it->second->Increment();
  }
}

void OutboxMetrics::onStats(const OutboxStats& stats, SystemTime now) {
  depth_.Set(static_cast<double>(stats.depth));
  dead_.Set(static_cast<double>(stats.dead));
  oldest_age_.Set(stats.oldest ? static_cast<double>((now - *stats.oldest).count()) : 0.0);
}

}  // namespace tickets
