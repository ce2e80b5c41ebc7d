#include "mail/ticket_emails.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <set>
#include <stdexcept>

#include "documents/qr.h"
#include "documents/ticket_pdf.h"

namespace tickets::mail {
namespace {

std::string html(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Minor units as an amount with two decimals, and the currency.
std::string money(const Money& m) {
  const int64_t whole = m.amount / 100;
  const int64_t cents = m.amount % 100;
  return std::to_string(whole) + "." + (cents < 10 ? "0" : "") + std::to_string(cents) + " " +
         m.currency;
}

std::string when(const Event& event) {
  return formatInZone(event.starts_at, event.timezone).value_or(formatRfc3339(event.starts_at));
}

std::string ticketTypeName(const Order& order, TicketTypeId type) {
  for (const auto& item : order.items) {
    if (item.ticket_type_id == type) {
      return item.name;
    }
  }
  return "Ticket";
}

// The order's events, in the order of its items.
std::vector<const Event*> eventsOf(const Order& order, const std::map<EventId, Event>& events) {
  std::vector<const Event*> out;
  std::set<EventId> seen;
  for (const auto& item : order.items) {
    if (auto it = events.find(item.event_id); it != events.end() && seen.insert(it->first).second) {
      out.push_back(&it->second);
    }
  }
  return out;
}

std::string eventsTitle(const Order& order, const std::map<EventId, Event>& events) {
  auto list = eventsOf(order, events);
  if (list.empty()) {
    return "your order";
  }
  return list.front()->name + (list.size() > 1 ? " and more" : "");
}

std::string orderLink(const Order& order, const std::string& base) {
  return base + "/orders/" + order.code;
}

std::string htmlPage(const std::string& body) {
  return "<!doctype html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:"
         "sans-serif;line-height:1.4\">" +
         body + "</body></html>";
}

// iCalendar TEXT escaping (RFC 5545, 3.3.11).
std::string icsText(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c != '\r') {
      out += c;
    }
  }
  return out;
}

// A content line folded at 75 octets, never inside a UTF-8 sequence, ended with CRLF.
std::string icsLine(const std::string& line) {
  std::string out;
  size_t start = 0;
  size_t limit = 75;
  while (line.size() - start > limit) {
    size_t end = start + limit;
    while (end > start && (static_cast<unsigned char>(line[end]) & 0xc0) == 0x80) {
      --end;
    }
    out += line.substr(start, end - start) + "\r\n ";
    start = end;
    limit = 74;  // the continuation's leading space counts
  }
  return out + line.substr(start) + "\r\n";
}

std::string icsTime(SystemTime t) {
  // 2026-12-01T19:30:00Z -> 20261201T193000Z
  std::string out;
  for (char c : formatRfc3339(t)) {
    if (c != '-' && c != ':') {
      out += c;
    }
  }
  return out;
}

std::string messageId(const OutboxMessage& m, const std::string& base) {
  auto host = base.substr(base.find("://") == std::string::npos ? 0 : base.find("://") + 3);
  host = host.substr(0, host.find_first_of(":/"));
  return "outbox-" + std::to_string(m.id) + "." + m.aggregate + "@" +
         (host.empty() ? "tickets.invalid" : host);
}

}  // namespace

std::string calendar(const Order& order, const std::map<EventId, Event>& events, SystemTime stamp) {
  std::string ics = icsLine("BEGIN:VCALENDAR") + icsLine("VERSION:2.0") +
                    icsLine("PRODID:-//tickets//ticketsd//EN") + icsLine("METHOD:PUBLISH");
  for (const Event* event : eventsOf(order, events)) {
    int64_t count = 0;
    for (const auto& ticket : order.tickets) {
      count += ticket.event_id == event->id && !ticket.void_ ? 1 : 0;
    }
    ics += icsLine("BEGIN:VEVENT");
    ics += icsLine("UID:event-" + std::to_string(event->id) + "-order-" + order.code + "@tickets");
    ics += icsLine("DTSTAMP:" + icsTime(stamp));
    ics += icsLine("DTSTART:" + icsTime(event->starts_at));
    ics += icsLine("DTEND:" + icsTime(event->ends_at));
    ics += icsLine("SUMMARY:" + icsText(event->name));
    ics += icsLine("LOCATION:" + icsText(event->venue));
    ics += icsLine("DESCRIPTION:" + icsText("Order " + order.code + ", " + std::to_string(count) +
                                            (count == 1 ? " ticket" : " tickets")));
    ics += icsLine("END:VEVENT");
  }
  ics += icsLine("END:VCALENDAR");
  return ics;
}

MailMessage orderConfirmation(const Order& order, const std::map<EventId, Event>& events,
                              const std::string& public_base_url) {
  MailMessage m;
  m.to = order.email;
  m.subject = "Your tickets for " + eventsTitle(order, events) + " (order " + order.code + ")";
  std::string text = "Hello " + order.name + ",\n\nThank you for your order " + order.code +
                     ". Your tickets are attached as a PDF (tickets-" + order.code +
                     ".pdf), and each ticket's QR code is in this email: show it at the door.\n";
  std::string body = "<p>Hello " + html(order.name) + ",</p><p>Thank you for your order <b>" +
                     html(order.code) +
                     "</b>. Your tickets are attached as a PDF, and each ticket's QR code is "
                     "below: show it at the door.</p>";
  int n = 0;
  for (const Event* event : eventsOf(order, events)) {
    text += "\n" + event->name + "\n" + event->venue + "\n" + when(*event) + "\n";
    body += "<h2>" + html(event->name) + "</h2><p>" + html(event->venue) + "<br>" +
            html(when(*event)) + "</p>";
    for (const auto& ticket : order.tickets) {
      if (ticket.event_id != event->id || ticket.void_) {
        continue;
      }
      ++n;
      const std::string type = ticketTypeName(order, ticket.ticket_type_id);
      const std::string cid = "ticket-" + std::to_string(n) + "." + order.code + "@tickets";
      text += "  " + type + ": ticket " + ticket.code + "\n";
      body += "<p>" + html(type) + "<br><img src=\"cid:" + cid + "\" alt=\"QR code of ticket " +
              html(ticket.code) + "\" width=\"222\" height=\"222\"><br><code>" + html(ticket.code) +
              "</code></p>";
      auto png = documents::qrPng(ticket.code);
      if (!png) {
        throw std::runtime_error("a ticket code could not be drawn as a QR code");
      }
      m.inline_parts.push_back(
          MailPart{"image/png", "ticket-" + std::to_string(n) + ".png", cid, std::move(*png)});
    }
  }
  text += "\nTotal: " + money(order.total) +
          "\n\nThe attached event.ics adds the event to your calendar.\nYour order: " +
          orderLink(order, public_base_url) + "\n";
  body += "<p>Total: " + html(money(order.total)) +
          "</p><p>The attached event.ics adds the event to your calendar. Your order: <a href=\"" +
          html(orderLink(order, public_base_url)) + "\">" + html(order.code) + "</a></p>";
  m.text = text;
  m.html = htmlPage(body);
  std::map<EventId, EventDetail> details;
  for (const auto& [id, event] : events) {
    details.emplace(id, EventDetail{event, {}});
  }
  m.attachments.push_back(MailPart{"application/pdf", "tickets-" + order.code + ".pdf", "",
                                   documents::ticketsPdf(order, details)});
  m.attachments.push_back(MailPart{"text/calendar; method=PUBLISH; charset=UTF-8", "event.ics", "",
                                   calendar(order, events, order.created_at)});
  return m;
}

MailMessage refundNotice(const Order& order, const Money& amount,
                         const std::map<EventId, Event>& events,
                         const std::string& public_base_url) {
  MailMessage m;
  m.to = order.email;
  m.subject = "Refund of " + money(amount) + " for order " + order.code;
  const std::string why = order.reason.empty() ? "" : order.reason + ".";
  m.text = "Hello " + order.name + ",\n\nWe are refunding " + money(amount) + " of your order " +
           order.code + " (" + eventsTitle(order, events) + "). " + why +
           "\nThe money reaches your account within a few working days, depending on your "
           "bank.\nCancelled tickets are no longer valid.\n\nYour order: " +
           orderLink(order, public_base_url) + "\n";
  m.html =
      htmlPage("<p>Hello " + html(order.name) + ",</p><p>We are refunding <b>" +
               html(money(amount)) + "</b> of your order <b>" + html(order.code) + "</b> (" +
               html(eventsTitle(order, events)) + "). " + html(why) +
               "</p><p>The money reaches your account within a few working days, depending "
               "on your bank. Cancelled tickets are no longer valid.</p><p>Your order: <a "
               "href=\"" +
               html(orderLink(order, public_base_url)) + "\">" + html(order.code) + "</a></p>");
  return m;
}

MailMessage cancellationNotice(const Order& order, const std::map<EventId, Event>& events,
                               const std::string& public_base_url) {
  MailMessage m;
  m.to = order.email;
  const bool whole = order.validTickets() == 0;
  m.subject = std::string(whole ? "Order " : "Tickets of order ") + order.code + " cancelled";
  const std::string what =
      whole ? "Your order " + order.code + " has been cancelled"
            : "Some tickets of your order " + order.code + " have been cancelled";
  m.text = "Hello " + order.name + ",\n\n" + what + " (" + eventsTitle(order, events) +
           "). Cancelled tickets are no longer valid.\n\nYour order: " +
           orderLink(order, public_base_url) + "\n";
  m.html =
      htmlPage("<p>Hello " + html(order.name) + ",</p><p>" + html(what) + " (" +
               html(eventsTitle(order, events)) +
               "). Cancelled tickets are no longer valid.</p><p>Your order: <a href=\"" +
               html(orderLink(order, public_base_url)) + "\">" + html(order.code) + "</a></p>");
  return m;
}

std::string EmailDeliverer::deliver(const OutboxMessage& message) {
  auto order = find_order_(message.aggregate);
  if (!order) {
    return "no such order";
  }
  std::map<EventId, Event> events;
  for (const auto& item : order->items) {
    if (!events.contains(item.event_id)) {
      if (auto event = find_event_(item.event_id)) {
        events.emplace(item.event_id, std::move(*event));
      }
    }
  }
  MailMessage mail;
  std::string kind;
  if (message.kind == outbox_kind::kOrderConfirmation) {
    kind = "order_confirmation";
    mail = orderConfirmation(*order, events, public_base_url_);
  } else if (message.kind == outbox_kind::kRefundNotice) {
    kind = "refund";
    boost::system::error_code ec;
    auto payload = boost::json::parse(message.payload, ec);
    const auto* object = !ec && payload.is_object() ? &payload.as_object() : nullptr;
    const auto* amount = object != nullptr ? object->if_contains("amount") : nullptr;
    if (amount == nullptr || !amount->is_int64()) {
      return "the refund notice's payload is not one this version understands";
    }
    mail = refundNotice(*order, Money{amount->as_int64(), order->total.currency}, events,
                        public_base_url_);
  } else if (message.kind == outbox_kind::kCancellationNotice) {
    kind = "cancellation";
    mail = cancellationNotice(*order, events, public_base_url_);
  } else {
    return "not an email";
  }
  mail.message_id = messageId(message, public_base_url_);
  auto error = sender_.send(mail);
  if (observer_ != nullptr) {
    observer_->onEmail(kind, error.empty());
  }
  return error;
}

}  // namespace tickets::mail
