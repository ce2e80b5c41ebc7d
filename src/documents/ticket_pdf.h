#pragma once

#include <map>
#include <string>

#include "domain/catalogue.h"
#include "domain/ticketing.h"

namespace tickets::documents {

// The order's tickets as a PDF, one A6 page each: the event, its venue and local start time,
// the ticket type, a QR code of the ticket's code drawn as vector squares (sharp at any print
// size), the code in text, and the order. A void ticket says VOID across its page. `events`
// holds each ticket's event (a ticket whose event is missing gets its page without it).
// Text outside Windows-1252 (the encoding of the PDF standard fonts) prints as '?'.
// Throws std::runtime_error if the PDF library fails.
std::string ticketsPdf(const Order& order, const std::map<EventId, EventDetail>& events);

}  // namespace tickets::documents
