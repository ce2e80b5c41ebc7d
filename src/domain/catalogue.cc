#include "domain/catalogue.h"

namespace tickets {

std::string_view toString(EventStatus status) {
  switch (status) {
    case EventStatus::kDraft:
      return "draft";
    case EventStatus::kOnSale:
      return "on_sale";
    case EventStatus::kSoldOut:
      return "sold_out";
    case EventStatus::kCancelled:
      return "cancelled";
  }
  return "draft";
}

std::optional<EventStatus> parseEventStatus(std::string_view text) {
  for (auto status : {EventStatus::kDraft, EventStatus::kOnSale, EventStatus::kSoldOut,
                      EventStatus::kCancelled}) {
    if (toString(status) == text) {
      return status;
    }
  }
  return std::nullopt;
}

}  // namespace tickets
