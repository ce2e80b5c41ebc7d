#include "api/ticketing_json.h"

#include <boost/json/array.hpp>

namespace tickets::api {
namespace {

boost::json::array itemsJson(const std::vector<HoldItem>& items) {
  boost::json::array out;
  for (const auto& item : items) {
    out.push_back(boost::json::object{{"ticket_type_id", item.ticket_type_id},
                                      {"event_id", item.event_id},
                                      {"name", item.name},
                                      {"quantity", item.quantity},
                                      {"unit_price", item.unit_price.amount},
                                      {"currency", item.unit_price.currency}});
  }
  return out;
}

}  // namespace

boost::json::object toJson(const Hold& hold) {
  Money total = hold.total();
  return {{"id", hold.id},
          {"status", toString(hold.status)},
          {"expires_at", formatRfc3339(hold.expires_at)},
          {"items", itemsJson(hold.items)},
          {"total", total.amount},
          {"currency", total.currency}};
}

boost::json::object toJson(const Ticket& ticket) {
  boost::json::object out{{"code", ticket.code},
                          {"ticket_type_id", ticket.ticket_type_id},
                          {"event_id", ticket.event_id},
                          {"status", ticket.void_ ? "void" : "valid"}};
  if (ticket.checked_in_at) {
    out["checked_in_at"] = formatRfc3339(*ticket.checked_in_at);
  } else {
    out["checked_in_at"] = nullptr;
  }
  return out;
}

boost::json::object toJson(const Order& order, bool include_secret) {
  boost::json::array tickets;
  for (const auto& t : order.tickets) {
    tickets.push_back(toJson(t));
  }
  boost::json::object out{{"code", order.code},
                          {"status", toString(order.status)},
                          {"email", order.email},
                          {"name", order.name},
                          {"items", itemsJson(order.items)},
                          {"total", order.total.amount},
                          {"currency", order.total.currency},
                          {"created_at", formatRfc3339(order.created_at)},
                          {"tickets", std::move(tickets)}};
  if (include_secret) {
    out["secret"] = order.secret;
  }
  out["payment_provider"] = order.provider.empty() ? "box_office" : order.provider;
  out["refunded"] = order.refunded.amount;
  if (order.status == OrderStatus::kPendingPayment) {
    if (!order.payment_url.empty()) {
      out["payment_url"] = order.payment_url;
    }
    if (order.payment_expires_at) {
      out["payment_expires_at"] = formatRfc3339(*order.payment_expires_at);
    }
  }
  if (!order.reason.empty()) {
    out["status_reason"] = order.reason;
  }
  return out;
}

boost::json::object toJson(const EventStats& stats) {
  return {{"sold", stats.sold},
          {"held", stats.held},
          {"available", stats.available},
          {"capacity", stats.capacity},
          {"checked_in", stats.checked_in},
          {"revenue", stats.revenue},
          {"currency", stats.currency}};
}

}  // namespace tickets::api
