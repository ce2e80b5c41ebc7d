#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/catalogue.h"

namespace tickets {

// Opaque, URL-safe page cursors. Clients must treat them as black boxes.
std::string encodeCursor(const EventCursor& cursor);
std::optional<EventCursor> decodeCursor(std::string_view text);

}  // namespace tickets
