#include "domain/waiting_room.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "common/base64url.h"
#include "common/crypto.h"
#include "common/random.h"

namespace tickets {
namespace {

using std::chrono::duration;
using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::string_view kTokenPrefix = "q1.";
constexpr std::string_view kChallengePrefix = "c1.";
constexpr double kFractionScale = 1e9;

QueueTime nowMs(const Clock& clock) {
  return std::chrono::time_point_cast<milliseconds>(clock.now());
}

DomainError queueRequired(EventId event, std::string detail) {
  return DomainError{
      ErrorCode::kQueueRequired,
      std::move(detail),
      "X-Queue-Token",
      {{"event_id", event}, {"queue", "/api/events/" + std::to_string(event) + "/queue"}}};
}

DomainError forbiddenToken(std::string detail) {
  return DomainError{ErrorCode::kForbidden, std::move(detail), "X-Queue-Token"};
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) {
      return parts;
    }
    start = at + 1;
  }
}

std::optional<int64_t> integer(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::string_view toString(QueueStatus status) {
  switch (status) {
    case QueueStatus::kWaiting:
      return "waiting";
    case QueueStatus::kAdmitted:
      return "admitted";
    case QueueStatus::kExpired:
      return "expired";
  }
  return "waiting";
}

double queueRank(const QueueRepository::Arrivals& arrivals, QueuePlace place) {
  double before = 0;
  for (const auto& [bucket, count] : arrivals) {
    if (bucket < place.bucket) {
      before += static_cast<double>(count);
    } else if (bucket == place.bucket) {
      before += static_cast<double>(count) * std::clamp(place.fraction, 0.0, 1.0);
    }
  }
  return before;
}

QueueState advanceWatermark(const QueueState& state, const QueueRepository::Arrivals& arrivals,
                            QueueTime now, std::optional<SystemTime> sale_starts_at,
                            std::optional<QueueTime> counted_until) {
  QueueState next = state;
  next.advanced_at = now;
  const double elapsed = std::clamp(duration<double>(now - state.advanced_at).count(), 0.0, 5.0);
  if (!state.settings.enabled || state.settings.admit_per_minute <= 0 ||
      (sale_starts_at && now < *sale_starts_at)) {
    next.carry = 0;
    return next;
  }
  double budget =
      static_cast<double>(state.settings.admit_per_minute) * elapsed / 60.0 + state.carry;
  // Complete seconds only: those over before every replica last wrote its counts. The pre-sale
  // cohort is complete once every replica has written its counts since the sale started.
  const QueueTime counted = std::min(now, counted_until.value_or(now - seconds(2)));
  const QueuePlace limit =
      sale_starts_at && counted < *sale_starts_at
          ? QueuePlace{0, 0.0}
          : QueuePlace{duration_cast<seconds>(counted.time_since_epoch()).count(), 0.0};
  QueuePlace watermark = state.watermark;
  for (const auto& [bucket, count] : arrivals) {
    if (bucket < watermark.bucket || count <= 0) {
      continue;
    }
    if (bucket >= limit.bucket) {
      break;
    }
    const double start = bucket == watermark.bucket ? watermark.fraction : 0.0;
    const double remaining = static_cast<double>(count) * (1.0 - start);
    if (budget >= remaining) {
      budget -= remaining;
      next.admitted += remaining;
      watermark = QueuePlace{bucket, 1.0};
      continue;
    }
    watermark = QueuePlace{bucket, start + budget / static_cast<double>(count)};
    next.admitted += budget;
    budget = 0;
    break;
  }
  if (budget > 0) {
    // Nobody left waiting in complete seconds: the watermark catches up with them, and unused
    // admissions are not banked (beyond a fraction of one).
    watermark = std::max(watermark, limit);
    budget = std::min(budget, 1.0);
  }
  next.watermark = watermark;
  next.carry = budget;
  return next;
}

WaitingRoom::WaitingRoom(QueueRepository& queues, CatalogueRepository& catalogue,
                         const Clock& clock, std::string secret, Options options,
                         WaitingRoomObserver* observer)
    : queues_(queues),
      catalogue_(catalogue),
      clock_(clock),
      secret_(std::move(secret)),
      options_(options),
      observer_(observer),
      replica_(randomToken(64)) {
  key_ = !secret_.empty() ? secret_
                          : queues_.secret("queue_token_key", [] { return randomToken(256); });
  // Known to the other replicas before its first join: until it has written its counts, no
  // watermark passes a second it may have had joins in.
  queues_.heartbeat(replica_, nowMs(clock_));
}

const std::string& WaitingRoom::key() const { return key_; }

std::string WaitingRoom::sign(const Token& token) {
  const std::string payload =
      std::to_string(token.event) + "." + std::to_string(token.place.bucket) + "." +
      std::to_string(static_cast<int64_t>(token.place.fraction * kFractionScale)) + "." +
      std::to_string(token.joined_ms) + "." + token.id;
  std::string text = std::string(kTokenPrefix) + payload;
  return text + "." + base64urlEncode(hmacSha256(key(), text));
}

std::optional<WaitingRoom::Token> WaitingRoom::verify(const std::string& text) {
  if (text.size() > 256 || !text.starts_with(kTokenPrefix)) {
    return std::nullopt;
  }
  const size_t mac_at = text.rfind('.');
  const std::string_view signed_part = std::string_view(text).substr(0, mac_at);
  const std::string expected = base64urlEncode(hmacSha256(key(), signed_part));
  if (!secretsEqual(expected, std::string_view(text).substr(mac_at + 1))) {
    return std::nullopt;
  }
  auto parts = split(signed_part.substr(kTokenPrefix.size()), '.');
  if (parts.size() != 5) {
    return std::nullopt;
  }
  auto event = integer(parts[0]), bucket = integer(parts[1]), fraction = integer(parts[2]),
       joined = integer(parts[3]);
  if (!event || !bucket || !fraction || !joined) {
    return std::nullopt;
  }
  return Token{*event, QueuePlace{*bucket, static_cast<double>(*fraction) / kFractionScale},
               *joined, std::string(parts[4])};
}

std::optional<WaitingRoom::Cached> WaitingRoom::cached(EventId event) {
  auto it = cache_.find(event);
  if (it == cache_.end()) {
    // Read once; the next tick reads it again. An event without a queue is remembered as such
    // too, so that a basket costs no read of it.
    Cached fresh;
    if (auto state = queues_.queue(event)) {
      fresh = Cached{*state, queues_.arrivals(event, state->watermark.bucket), std::nullopt, true,
                     queues_.advances(event, QueuePlace{-1, 0.0})};
      if (auto detail = catalogue_.findEvent(event)) {
        fresh.sale_starts_at = detail->event.sale_starts_at;
      }
    }
    it = cache_.emplace(event, std::move(fresh)).first;
  }
  if (!it->second.exists) {
    return std::nullopt;
  }
  return it->second;
}

Result<QueueReport> WaitingRoom::configure(EventId event, const QueueSettings& settings) {
  if (settings.admit_per_minute < 0 || settings.admit_per_minute > 1'000'000) {
    return unprocessable("admit_per_minute", "admit_per_minute must be 0 to 1000000");
  }
  if (settings.pow_difficulty < 0 || settings.pow_difficulty > 24) {
    return unprocessable("pow_difficulty", "pow_difficulty must be 0 to 24 bits");
  }
  if (auto unknown = unknownEvent(event)) {
    return *unknown;
  }
  queues_.configure(event, settings, nowMs(clock_));
  {
    std::lock_guard lock(mutex_);
    cache_.erase(event);
  }
  return report(event);
}

std::optional<DomainError> WaitingRoom::unknownEvent(EventId event) {
  if (catalogue_.findEvent(event)) {
    return std::nullopt;
  }
  return notFound("no such event");
}

Result<QueueReport> WaitingRoom::report(EventId event) {
  std::unique_lock lock(mutex_);
  auto queue = cached(event);
  if (!queue) {
    lock.unlock();
    if (auto unknown = unknownEvent(event)) {
      return *unknown;
    }
    return QueueReport{event, {}, 0, 0, 0};
  }
  QueueReport report{event, queue->state.settings, 0,
                     static_cast<int64_t>(std::llround(queue->state.admitted)), 0};
  double total = 0;
  for (const auto& [bucket, count] : queue->arrivals) {
    total += static_cast<double>(count);
  }
  report.waiting = std::max<int64_t>(
      0, std::llround(total - queueRank(queue->arrivals, queue->state.watermark)));
  // The first buyer still waiting: in the first second with arrivals the watermark has not
  // passed. The pre-sale cohort waits from the sale's start.
  const auto& w = queue->state.watermark;
  for (const auto& [bucket, count] : queue->arrivals) {
    if (count <= 0 || (bucket == w.bucket && w.fraction >= 1.0)) {
      continue;
    }
    std::optional<QueueTime> since;
    if (bucket == 0) {
      if (queue->sale_starts_at) {
        since = *queue->sale_starts_at;
      }
    } else {
      since = QueueTime(
          milliseconds(bucket * 1000 + (bucket == w.bucket ? std::llround(w.fraction * 1000) : 0)));
    }
    if (since) {
      report.oldest_wait_seconds =
          std::max<int64_t>(0, duration_cast<seconds>(clock_.now() - *since).count());
    }
    break;
  }
  return report;
}

Result<QueueChallenge> WaitingRoom::challenge(EventId event) {
  std::unique_lock lock(mutex_);
  auto queue = cached(event);
  if (!queue) {
    lock.unlock();
    if (auto unknown = unknownEvent(event)) {
      return *unknown;
    }
    return QueueChallenge{event, false, 0, {}};
  }
  QueueChallenge c{event, queue->state.settings.enabled, queue->state.settings.pow_difficulty, {}};
  if (c.enabled && c.difficulty > 0) {
    const std::string text = std::string(kChallengePrefix) + std::to_string(event) + "." +
                             std::to_string(nowMs(clock_).time_since_epoch().count()) + "." +
                             randomToken(96);
    c.challenge = text + "." + base64urlEncode(hmacSha256(key(), text));
  }
  return c;
}

bool WaitingRoom::allowJoin(EventId event, const std::string& client, SystemTime now) {
  if (joins_.size() > 100'000) {
    joins_.clear();  // bounded memory; a flood of addresses resets every allowance
  }
  auto& bucket = joins_[std::to_string(event) + "/" + client];
  const double refill = duration<double>(now - bucket.at).count() /
                        static_cast<double>(options_.join_interval.count());
  bucket.tokens = bucket.at == SystemTime{}
                      ? static_cast<double>(options_.join_burst)
                      : std::min(static_cast<double>(options_.join_burst), bucket.tokens + refill);
  bucket.at = now;
  if (bucket.tokens < 1) {
    return false;
  }
  bucket.tokens -= 1;
  return true;
}

Result<QueueTicket> WaitingRoom::join(EventId event, const std::string& client,
                                      const std::string& challenge, const std::string& nonce) {
  const QueueTime now = nowMs(clock_);
  const auto now_s = std::chrono::time_point_cast<seconds>(now);
  Token token;
  {
    std::unique_lock lock(mutex_);
    auto queue = cached(event);
    if (!queue || !queue->state.settings.enabled) {
      lock.unlock();
      if (auto unknown = unknownEvent(event)) {
        return *unknown;
      }
      return DomainError{ErrorCode::kConflict, "this event has no queue: buy directly", {}};
    }
    if (!client.empty() && !allowJoin(event, client, now_s)) {
      if (observer_ != nullptr) {
        observer_->onJoinRefused("rate_limited");
      }
      return DomainError{ErrorCode::kRateLimited,
                         "too many joins from this address; try again shortly",
                         {},
                         {{"retry_after", options_.join_interval.count()}}};
    }
    if (const int difficulty = queue->state.settings.pow_difficulty; difficulty > 0) {
      auto refuse = [&](std::string detail) -> DomainError {
        if (observer_ != nullptr) {
          observer_->onJoinRefused("proof_of_work");
        }
        return DomainError{ErrorCode::kForbidden, std::move(detail), "nonce"};
      };
      const size_t mac_at = challenge.rfind('.');
      if (challenge.size() > 256 || !challenge.starts_with(kChallengePrefix) ||
          mac_at == std::string::npos ||
          !secretsEqual(base64urlEncode(hmacSha256(key(), challenge.substr(0, mac_at))),
                        challenge.substr(mac_at + 1))) {
        return refuse("a proof of work is required: solve the challenge of GET " +
                      std::string("/api/events/") + std::to_string(event) + "/queue");
      }
      auto parts = split(std::string_view(challenge).substr(kChallengePrefix.size()), '.');
      auto for_event = parts.size() == 4 ? integer(parts[0]) : std::nullopt;
      auto issued = parts.size() == 4 ? integer(parts[1]) : std::nullopt;
      if (!for_event || *for_event != event || !issued ||
          now.time_since_epoch().count() - *issued >
              duration_cast<milliseconds>(options_.challenge_lasts).count()) {
        return refuse("the challenge is stale or for another event: get a new one");
      }
      if (nonce.empty() || nonce.size() > 64 ||
          sha256LeadingZeroBits(challenge + ":" + nonce) < difficulty) {
        return refuse("the nonce does not solve the challenge");
      }
      while (!challenge_expiry_.empty() && challenge_expiry_.front().first < now_s) {
        used_challenges_.erase(challenge_expiry_.front().second);
        challenge_expiry_.pop_front();
      }
      if (!used_challenges_.insert(challenge).second) {
        return refuse("this challenge was used already: get a new one");
      }
      challenge_expiry_.emplace_back(now_s + options_.challenge_lasts, challenge);
    }
    token.event = event;
    token.joined_ms = now.time_since_epoch().count();
    token.id = randomToken(96);
    if (queue->sale_starts_at && now < *queue->sale_starts_at) {
      token.place = QueuePlace{0, randomFraction()};  // the pre-sale cohort, shuffled
    } else {
      // First come, first served to the second; within it, a random draw: the watermark admits
      // a second's arrivals by the fraction of them, which is exact only if their places are
      // spread evenly over it (a burst in one millisecond is not).
      token.place = QueuePlace{now_s.time_since_epoch().count(), randomFraction()};
    }
    ++mine_[event][token.place.bucket];
    ++cache_.at(event).arrivals[token.place.bucket];
  }
  if (observer_ != nullptr) {
    observer_->onJoin(event);
  }
  return describe(token, sign(token));
}

Result<QueueTicket> WaitingRoom::describe(const Token& token, const std::string& text) {
  QueueTicket ticket{text, token.event, QueueStatus::kWaiting, 0, std::nullopt, std::nullopt};
  QueueState state;
  std::optional<QueueTime> admitted_at;
  {
    std::lock_guard lock(mutex_);
    auto queue = cached(token.event);
    if (!queue || !queue->state.settings.enabled) {
      // The queue is off: anyone buys without a token. Admitted, with no end.
      ticket.status = QueueStatus::kAdmitted;
      ticket.estimated_wait_seconds = 0;
      return ticket;
    }
    state = queue->state;
    if (token.place < state.watermark) {
      // When the watermark passed the place, from the log read at the last tick.
      const auto& log = queue->advances;
      auto passed = std::upper_bound(
          log.begin(), log.end(), token.place,
          [](const QueuePlace& place, const auto& advance) { return place < advance.first; });
      if (passed != log.end()) {
        admitted_at = passed->second;
      }
    } else {
      const double ahead = std::max(0.0, queueRank(queue->arrivals, token.place) -
                                             queueRank(queue->arrivals, state.watermark));
      ticket.position = static_cast<int64_t>(std::floor(ahead)) + 1;
      if (state.settings.admit_per_minute > 0) {
        ticket.estimated_wait_seconds =
            3 + static_cast<int64_t>(
                    std::ceil(ahead * 60.0 / static_cast<double>(state.settings.admit_per_minute)));
      }
      return ticket;
    }
  }
  if (!admitted_at) {
    admitted_at = queues_.admittedAt(token.event, token.place);
  }
  if (!admitted_at) {
    return ticket;  // the log is behind the state read a moment ago: still waiting
  }
  const auto until = std::chrono::time_point_cast<seconds>(*admitted_at + options_.admission_lasts);
  ticket.admitted_until = until;
  ticket.estimated_wait_seconds = 0;
  ticket.status = clock_.now() < until ? QueueStatus::kAdmitted : QueueStatus::kExpired;
  return ticket;
}

bool WaitingRoom::inMemory(EventId event, std::optional<QueuePlace> place) {
  std::lock_guard lock(mutex_);
  auto it = cache_.find(event);
  if (it == cache_.end() || !it->second.exists || !it->second.state.settings.enabled) {
    return false;
  }
  // A place still waiting, or one the log read at the last tick says was passed.
  return !place || !(*place < it->second.state.watermark) ||
         (!it->second.advances.empty() && *place < it->second.advances.back().first);
}

std::optional<Result<QueueTicket>> WaitingRoom::tryJoin(EventId event, const std::string& client,
                                                        const std::string& challenge,
                                                        const std::string& nonce) {
  if (!inMemory(event, std::nullopt)) {
    return std::nullopt;
  }
  return join(event, client, challenge, nonce);
}

std::optional<Result<QueueTicket>> WaitingRoom::tryStatus(const std::string& text) {
  std::optional<Token> token;
  {
    std::lock_guard lock(mutex_);
    token = verify(text);
  }
  if (!token) {
    return Result<QueueTicket>(notFound("no such queue token"));
  }
  if (!inMemory(token->event, token->place)) {
    return std::nullopt;
  }
  return describe(*token, text);
}

Result<QueueTicket> WaitingRoom::status(const std::string& text) {
  std::optional<Token> token;
  {
    std::lock_guard lock(mutex_);
    token = verify(text);
  }
  if (!token) {
    return notFound("no such queue token");
  }
  return describe(*token, text);
}

void WaitingRoom::basketMade(const QueuePass& pass) {
  if (observer_ != nullptr) {
    observer_->onAdmitted(
        pass.event,
        duration<double>(clock_.now() - QueueTime(milliseconds(pass.joined_ms))).count());
  }
}

Result<std::optional<QueuePass>> WaitingRoom::passFor(const std::vector<EventId>& events,
                                                      const std::string& text) {
  std::optional<EventId> queued;
  {
    std::lock_guard lock(mutex_);
    for (EventId event : events) {
      auto queue = cached(event);
      if (queue && queue->state.settings.enabled) {
        if (queued) {
          return unprocessable("items", "events with a queue are bought one per basket");
        }
        queued = event;
      }
    }
  }
  if (!queued) {
    return std::optional<QueuePass>();
  }
  if (events.size() > 1) {
    return unprocessable("items", "a basket of an event with a queue holds only that event");
  }
  if (text.empty()) {
    return queueRequired(*queued, "this event sells through its queue: join it first");
  }
  std::optional<Token> token;
  {
    std::lock_guard lock(mutex_);
    token = verify(text);
  }
  if (!token) {
    return forbiddenToken("the queue token is not valid");
  }
  if (token->event != *queued) {
    return forbiddenToken("the queue token is for another event");
  }
  auto ticket = describe(*token, text);
  if (ticket && ticket->status == QueueStatus::kWaiting) {
    // Another replica may have seen the watermark pass already (each reads it at its own
    // tick): a basket asks the database before it says no.
    if (auto fresh = queues_.queue(*queued)) {
      {
        std::lock_guard lock(mutex_);
        if (auto it = cache_.find(*queued);
            it != cache_.end() && it->second.state.watermark < fresh->watermark) {
          it->second.state = *fresh;
        }
      }
      ticket = describe(*token, text);
    }
  }
  if (!ticket) {
    return ticket.error();
  }
  if (ticket->status == QueueStatus::kWaiting) {
    return queueRequired(*queued, "your turn in the queue has not come yet");
  }
  if (ticket->status == QueueStatus::kExpired) {
    return forbiddenToken("your turn in the queue has passed");
  }
  return std::optional<QueuePass>(QueuePass{token->id, token->event, token->joined_ms});
}

void WaitingRoom::tick() {
  std::map<EventId, QueueRepository::Arrivals> mine;
  QueueTime counted;
  {
    std::lock_guard lock(mutex_);
    mine = mine_;
    counted = nowMs(clock_);  // every join before this moment is in `mine`
  }
  for (const auto& [event, counts] : mine) {
    queues_.recordArrivals(replica_, event, counts);
  }
  queues_.heartbeat(replica_, counted);
  const QueueTime now = nowMs(clock_);
  std::map<EventId, Cached> fresh;
  for (const auto& state : queues_.enabledQueues()) {
    std::optional<SystemTime> sale_starts_at;
    if (auto detail = catalogue_.findEvent(state.event)) {
      sale_starts_at = detail->event.sale_starts_at;
    }
    if (now - state.advanced_at >= milliseconds(900)) {
      queues_.advance(state.event, now,
                      [&](const QueueState& locked, const QueueRepository::Arrivals& arrivals,
                          QueueTime counted_until) -> std::optional<QueueState> {
                        if (now - locked.advanced_at < milliseconds(900)) {
                          return std::nullopt;  // another replica just did
                        }
                        return advanceWatermark(locked, arrivals, now, sale_starts_at,
                                                counted_until);
                      });
    }
    if (auto current = queues_.queue(state.event)) {
      Cached entry{*current,
                   queues_.arrivals(state.event, current->watermark.bucket),
                   sale_starts_at,
                   true,
                   {}};
      {
        std::lock_guard lock(mutex_);
        if (auto old = cache_.find(state.event); old != cache_.end() && old->second.exists) {
          entry.advances = old->second.advances;
        }
      }
      const QueuePlace after =
          entry.advances.empty() ? QueuePlace{-1, 0.0} : entry.advances.back().first;
      for (auto& advance : queues_.advances(state.event, after)) {
        entry.advances.push_back(advance);
      }
      fresh[state.event] = std::move(entry);
    }
  }
  {
    std::lock_guard lock(mutex_);
    // Only this replica's buckets still open may lack a moment's joins: keep the larger count.
    for (auto& [event, entry] : fresh) {
      if (auto old = cache_.find(event); old != cache_.end() && old->second.exists) {
        for (const auto& [bucket, count] : old->second.arrivals) {
          if (bucket >= entry.state.watermark.bucket) {
            auto& merged = entry.arrivals[bucket];
            merged = std::max(merged, count);
          }
        }
      }
    }
    // Events known to have no enabled queue stay known as such: a queue turned on anywhere is in
    // `fresh` from the next tick on.
    for (const auto& [event, entry] : cache_) {
      if (!fresh.contains(event)) {
        Cached none;
        none.state.event = event;
        fresh.emplace(event, std::move(none));
      }
    }
    cache_ = std::move(fresh);
    // Arrivals of buckets the watermark passed no longer need writing again.
    for (auto& [event, counts] : mine_) {
      if (auto it = cache_.find(event); it != cache_.end()) {
        counts.erase(counts.begin(), counts.lower_bound(it->second.state.watermark.bucket - 10));
      }
    }
  }
  if (observer_ != nullptr) {
    std::vector<EventId> enabled;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [event, entry] : cache_) {
        if (entry.exists) {
          enabled.push_back(event);
        }
      }
    }
    for (EventId event : enabled) {
      if (auto r = report(event)) {
        observer_->onQueue(event, r->waiting, r->admitted, r->settings.admit_per_minute,
                           static_cast<double>(r->oldest_wait_seconds));
      }
    }
    // A queue turned off since the last tick: its figures are gone, not frozen.
    for (EventId event : reported_) {
      if (std::find(enabled.begin(), enabled.end(), event) == enabled.end()) {
        observer_->onQueueClosed(event);
      }
    }
    reported_ = std::move(enabled);
  }
}

}  // namespace tickets
