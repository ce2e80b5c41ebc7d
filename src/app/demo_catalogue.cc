#include "app/demo_catalogue.h"

#include <array>
#include <string>

namespace tickets {

std::vector<NewEvent> demoCatalogue(SystemTime now) {
  using namespace std::chrono;
  struct Venue {
    const char* name;
    const char* timezone;
    const char* currency;
  };
  static constexpr std::array<Venue, 5> venues = {{
      {"Roundhouse, London", "Europe/London", "GBP"},
      {"Paradiso, Amsterdam", "Europe/Amsterdam", "EUR"},
      {"Columbiahalle, Berlin", "Europe/Berlin", "EUR"},
      {"The Fillmore, San Francisco", "America/Los_Angeles", "USD"},
      {"Webster Hall, New York", "America/New_York", "USD"},
  }};
  static constexpr std::array<const char*, 20> acts = {
      "The Night Trains", "Aurora Lane",          "Static Bloom",         "Copper & Coal",
      "Lumen Quartet",    "The Paper Kites Tour", "Harbour Lights",       "Velvet Static",
      "Northern Drift",   "The Slow Reveal",      "Glass Animals DJ Set", "Midnight Radio",
      "Salt & Cedar",     "Echo Chamber Live",    "The Long Weekend",     "Kite Festival Warm-up",
      "Jazz at Midnight", "Orbit Comedy Night",   "Brass Parade",         "Winter Lights Gala",
  };
  std::vector<NewEvent> events;
  const auto first_day = floor<days>(now) + days{7};
  for (size_t i = 0; i < acts.size(); ++i) {
    const Venue& venue = venues[i % venues.size()];
    NewEvent e;
    e.name = acts[i];
    e.venue = venue.name;
    e.description =
        std::string(acts[i]) + " live at " + venue.name + ". Doors open one hour before the show.";
    e.timezone = venue.timezone;
    e.starts_at = time_point_cast<seconds>(first_day + days{static_cast<int>(i) * 3} + hours{19});
    e.ends_at = e.starts_at + hours{3};
    e.status = (i % 10 == 9) ? EventStatus::kSoldOut : EventStatus::kOnSale;
    e.sale_starts_at = time_point_cast<seconds>(floor<days>(now) - days{1});
    e.sale_ends_at = e.starts_at;
    e.max_tickets_per_order = 6;
    const int64_t base = 1500 + static_cast<int64_t>(i % 4) * 500;
    // A sold-out event is shown with its tiers but nothing left to sell.
    const int64_t scale = e.status == EventStatus::kSoldOut ? 0 : 1;
    e.ticket_types.push_back(
        NewTicketType{"General Admission", Money{base, venue.currency}, 200 * scale});
    e.ticket_types.push_back(
        NewTicketType{"Balcony", Money{base + 1000, venue.currency}, 80 * scale});
    if (i % 3 == 0) {
      e.ticket_types.push_back(NewTicketType{"VIP", Money{base * 4, venue.currency}, 20 * scale});
    }
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace tickets
