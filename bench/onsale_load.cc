// The buyers of a hot on-sale, for bench/onsale_bench.sh: they arrive at a steady rate, each on
// a connection of its own, join the event's waiting room, poll until admitted, then make a
// basket with the admission and check it out. Prints one RESULT line with what happened.
// The ticket type must be free (bench/onsale_bench.sh): a buyer bought when the checkout answers
// 201 with the order "paid"; any other 201 (pending_payment: a priced basket handed over to the
// payment provider, no ticket) counts as failed, as does 503 payments-not-configured.
//
// Usage: onsale_load PORT EVENT TICKET_TYPE BUYERS_PER_SECOND SECONDS [POLL_MS] [GIVE_UP_S]
// Each buyer sends X-Forwarded-For with an address of its own (run ticketsd with
// TRUSTED_PROXIES=1), as buyers behind a load balancer would.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  unsigned short port = 0;
  long event = 0, type = 0;
  double rate = 0, seconds = 0;
  int poll_ms = 2000, give_up_s = 120;
};

struct Buyer {
  long index = 0;
  std::optional<std::string> admitted_until;  // the server's admission time (+ its length)
  bool bought = false, sold_out = false, gave_up = false, failed = false;
};

struct Totals {
  std::map<int, long> statuses;    // every response
  std::vector<double> selling_ms;  // basket and checkout of admitted buyers
  std::vector<double> queue_ms;    // join and polls
  std::vector<Buyer> buyers;
};

std::string field(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  auto at = body.find(key);
  if (at == std::string::npos) {
    return "";
  }
  at += key.size();
  return body.substr(at, body.find('"', at) - at);
}

struct Answer {
  int status = 0;
  std::string body;
};

asio::awaitable<Answer> send(beast::tcp_stream& stream, http::verb verb, const std::string& target,
                             const std::string& body,
                             const std::vector<std::pair<std::string, std::string>>& headers,
                             std::vector<double>& latencies, Totals& totals) {
  http::request<http::string_body> request{verb, target, 11};
  request.set(http::field::host, "127.0.0.1");
  for (const auto& [name, value] : headers) {
    request.set(name, value);
  }
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
  }
  // A shed request (429) is sent again after its Retry-After, as the storefront does, a few
  // times; each 429 is counted.
  for (int attempt = 0;; ++attempt) {
    const auto started = Clock::now();
    stream.expires_after(std::chrono::seconds(30));
    co_await http::async_write(stream, request, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    co_await http::async_read(stream, buffer, response, asio::use_awaitable);
    ++totals.statuses[response.result_int()];
    if (response.result_int() == 429 && attempt < 5) {
      int wait_s = 1;
      if (auto retry = response[http::field::retry_after]; !retry.empty()) {
        wait_s = std::max(1, std::atoi(std::string(retry).c_str()));
      }
      asio::steady_timer timer(co_await asio::this_coro::executor, std::chrono::seconds(wait_s));
      co_await timer.async_wait(asio::use_awaitable);
      continue;
    }
    latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
    co_return Answer{static_cast<int>(response.result_int()), std::move(response.body())};
  }
}

asio::awaitable<void> buy(const Options& o, long index, Totals& totals) {
  Buyer& me = totals.buyers[static_cast<size_t>(index)];
  me.index = index;
  try {
    auto executor = co_await asio::this_coro::executor;
    beast::tcp_stream stream(executor);
    co_await stream.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), o.port),
                                  asio::use_awaitable);
    const std::string address = "10." + std::to_string((index >> 16) & 255) + "." +
                                std::to_string((index >> 8) & 255) + "." +
                                std::to_string(index & 255);
    const std::vector<std::pair<std::string, std::string>> from{{"X-Forwarded-For", address}};
    auto joined =
        co_await send(stream, http::verb::post, "/api/events/" + std::to_string(o.event) + "/queue",
                      "", from, totals.queue_ms, totals);
    if (joined.status != 201) {
      me.failed = true;
      co_return;
    }
    const std::string token = field(joined.body, "token");
    std::string status = field(joined.body, "status");
    std::string until = field(joined.body, "admitted_until");
    const auto give_up = Clock::now() + std::chrono::seconds(o.give_up_s);
    asio::steady_timer timer(executor);
    while (status == "waiting") {
      if (Clock::now() > give_up) {
        me.gave_up = true;
        co_return;
      }
      timer.expires_after(std::chrono::milliseconds(o.poll_ms));
      co_await timer.async_wait(asio::use_awaitable);
      auto polled = co_await send(stream, http::verb::get, "/api/queue/" + token, "", from,
                                  totals.queue_ms, totals);
      if (polled.status != 200) {
        me.failed = true;
        co_return;
      }
      status = field(polled.body, "status");
      until = field(polled.body, "admitted_until");
    }
    if (status != "admitted") {
      me.failed = true;
      co_return;
    }
    me.admitted_until = until;
    auto headers = from;
    headers.emplace_back("X-Queue-Token", token);
    auto basket = co_await send(
        stream, http::verb::post, "/api/basket",
        R"({"items":[{"ticket_type_id":)" + std::to_string(o.type) + R"(,"quantity":1}]})", headers,
        totals.selling_ms, totals);
    if (basket.status == 409) {
      me.sold_out = true;
      co_return;
    }
    if (basket.status != 201) {
      me.failed = true;
      co_return;
    }
    auto key = from;
    key.emplace_back("Idempotency-Key", "onsale-" + std::to_string(index));
    auto paid = co_await send(stream, http::verb::post, "/api/checkout",
                              R"({"basket_id":")" + field(basket.body, "id") +
                                  R"(","email":"buyer@example.com","name":"Buyer"})",
                              key, totals.selling_ms, totals);
    // The order's own status is the first "status" of the answer: {"order":{"code":..,"status":..
    me.bought = paid.status == 201 && field(paid.body, "status") == "paid";
    me.failed = !me.bought && paid.status != 409;
  } catch (const std::exception&) {
    me.failed = true;
  }
}

asio::awaitable<void> arrive(const Options& o, Totals& totals) {
  auto executor = co_await asio::this_coro::executor;
  const long count = static_cast<long>(o.rate * o.seconds);
  totals.buyers.resize(static_cast<size_t>(count));
  const auto start = Clock::now();
  asio::steady_timer timer(executor);
  for (long i = 0; i < count; ++i) {
    timer.expires_at(start + std::chrono::microseconds(static_cast<long>(1e6 * i / o.rate)));
    co_await timer.async_wait(asio::use_awaitable);
    asio::co_spawn(executor, buy(o, i, totals), asio::detached);
  }
}

// Pairs out of order in `values` (merge sort), which it sorts.
long inversions(std::vector<std::string>& values) {
  long count = 0;
  std::vector<std::string> scratch(values.size());
  for (size_t width = 1; width < values.size(); width *= 2) {
    for (size_t lo = 0; lo < values.size(); lo += 2 * width) {
      size_t mid = std::min(lo + width, values.size()),
             hi = std::min(lo + 2 * width, values.size());
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (values[j] < values[i]) {
          count += static_cast<long>(mid - i);
          scratch[k++] = values[j++];
        } else {
          scratch[k++] = values[i++];
        }
      }
      while (i < mid) scratch[k++] = values[i++];
      while (j < hi) scratch[k++] = values[j++];
    }
    std::swap(values, scratch);
  }
  return count;
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) {
    return 0;
  }
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p / 100 * values.size()))];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr,
                 "usage: onsale_load PORT EVENT TICKET_TYPE BUYERS_PER_SECOND SECONDS [POLL_MS] "
                 "[GIVE_UP_S]\n");
    return 2;
  }
  Options o;
  o.port = static_cast<unsigned short>(std::stoi(argv[1]));
  o.event = std::stol(argv[2]);
  o.type = std::stol(argv[3]);
  o.rate = std::stod(argv[4]);
  o.seconds = std::stod(argv[5]);
  if (argc > 6) o.poll_ms = std::stoi(argv[6]);
  if (argc > 7) o.give_up_s = std::stoi(argv[7]);
  asio::io_context io;
  Totals totals;
  asio::co_spawn(io, arrive(o, totals), asio::detached);
  io.run();

  long admitted = 0, bought = 0, sold_out = 0, gave_up = 0, failed = 0, server_errors = 0, shed = 0,
       answers = 0;
  // Fairness: of every pair of admitted buyers who joined in different seconds, the share
  // admitted in the order they joined (by the server's admission time, to the second; the same
  // second counts as in order). Within a second the order is random by design.
  std::vector<std::string> order;
  std::map<long, std::vector<std::string>> by_second;
  for (const auto& b : totals.buyers) {
    admitted += b.admitted_until ? 1 : 0;
    bought += b.bought;
    sold_out += b.sold_out;
    gave_up += b.gave_up;
    failed += b.failed;
    if (b.admitted_until) {
      order.push_back(*b.admitted_until);
      by_second[static_cast<long>(static_cast<double>(b.index) / o.rate)].push_back(
          *b.admitted_until);
    }
  }
  for (const auto& [status, count] : totals.statuses) {
    answers += count;
    server_errors += status >= 500 ? count : 0;
    shed += status == 429 ? count : 0;
  }
  auto pairs = [](double n) { return n * (n - 1) / 2; };
  double across = pairs(static_cast<double>(order.size()));
  long inverted = inversions(order);
  for (auto& [second, admitted_at] : by_second) {
    across -= pairs(static_cast<double>(admitted_at.size()));
    inverted -= inversions(admitted_at);
  }
  const double fairness = across > 0 ? 1.0 - static_cast<double>(inverted) / across : 1.0;
  std::printf(
      "RESULT buyers=%zu admitted=%ld bought=%ld sold_out=%ld gave_up=%ld failed=%ld "
      "answers=%ld http_5xx=%ld http_429=%ld selling_p50_ms=%.1f selling_p95_ms=%.1f "
      "selling_p99_ms=%.1f queue_p95_ms=%.1f fairness=%.4f\n",
      totals.buyers.size(), admitted, bought, sold_out, gave_up, failed, answers, server_errors,
      shed, percentile(totals.selling_ms, 50), percentile(totals.selling_ms, 95),
      percentile(totals.selling_ms, 99), percentile(totals.queue_ms, 95), fairness);
  return 0;
}
