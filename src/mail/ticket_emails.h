#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "domain/catalogue.h"
#include "domain/outbox.h"
#include "domain/ticketing.h"
#include "mail/smtp.h"

namespace tickets::mail {

// The order confirmation: each ticket's QR code inline (PNG), the tickets as a PDF and the
// events as an iCalendar attachment, in plain text and HTML. `events` holds the order's events.
MailMessage orderConfirmation(const Order& order, const std::map<EventId, Event>& events,
                              const std::string& public_base_url);
// A refund of `amount` of the order (`reason`: why, when the shop decided it).
MailMessage refundNotice(const Order& order, const Money& amount,
                         const std::map<EventId, Event>& events,
                         const std::string& public_base_url);
// A box-office order, or one of its tickets, cancelled.
MailMessage cancellationNotice(const Order& order, const std::map<EventId, Event>& events,
                               const std::string& public_base_url);

// The events as an iCalendar (RFC 5545) file: one VEVENT each, times in UTC, lines folded.
std::string calendar(const Order& order, const std::map<EventId, Event>& events, SystemTime stamp);

// Delivers the outbox's email messages (outbox_kind::kOrderConfirmation, kRefundNotice,
// kCancellationNotice) through SMTP, composed from the order as it is when sent. The Message-ID
// is the outbox message's, so a receiver can tell a resent email from a new one.
class EmailDeliverer final : public OutboxDeliverer {
 public:
  using FindOrder = std::function<std::optional<Order>(const std::string& code)>;
  using FindEvent = std::function<std::optional<Event>(EventId id)>;

  EmailDeliverer(const SmtpSender& sender, FindOrder find_order, FindEvent find_event,
                 std::string public_base_url, EmailObserver* observer = nullptr)
      : sender_(sender),
        find_order_(std::move(find_order)),
        find_event_(std::move(find_event)),
        public_base_url_(std::move(public_base_url)),
        observer_(observer) {}

  std::string deliver(const OutboxMessage& message) override;

 private:
  const SmtpSender& sender_;
  FindOrder find_order_;
  FindEvent find_event_;
  std::string public_base_url_;
  EmailObserver* observer_;
};

}  // namespace tickets::mail
