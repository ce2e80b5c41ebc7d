#pragma once

// The waiting room of a hot on-sale: a fair queue in front of the selling path.
//
// Fairness: a buyer's place in the queue is the second they joined, and a random draw among
// those who joined in the same second (first come, first served to the second); everyone who
// joined before the sale starts forms one cohort placed first, in a random order drawn at join
// time (arriving early gives no advantage over arriving at the start). Admission moves a watermark
// along the places at the event's rate; a place before the watermark is admitted.
//
// Scale: joining writes nothing per buyer. The buyer's token carries the event, the place and
// an id, signed with HMAC-SHA-256 under a key every replica shares (QUEUE_SECRET, or one
// generated once and kept in the database), so any replica can check it and a restart loses
// no one's place. Replicas share only small per-event state: arrivals per second per replica
// (each replica writes its own counts once a second) and the watermark, which one replica at a
// time advances (under the queue row's lock, at most once a second) by the rate, counting the
// arrivals it passes. The watermark only moves over seconds whose counts are complete (every
// live replica has written its counts since), so a buyer waits a second or two at least; when it
// passes a place is logged, so an admission lasts a fixed time from when it happened, however late
// the buyer looks.
//
// Abuse: joins are limited per client (a token bucket per replica), and a queue may ask for a
// hashcash-style proof of work: SHA-256(challenge ":" nonce) with `pow_difficulty` leading zero
// bits, the challenge signed by the server and fresh (5 minutes), each used once per replica.
// An admitted token makes one basket, of its own event, within its admission time.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/time.h"
#include "domain/catalogue.h"
#include "domain/catalogue_repository.h"
#include "domain/error.h"

namespace tickets {

// A place in an event's queue: the second the buyer joined (0 for the pre-sale cohort) and a
// random draw in [0, 1) that orders those of the same second.
struct QueuePlace {
  int64_t bucket = 0;
  double fraction = 0;
  friend bool operator<(const QueuePlace& a, const QueuePlace& b) {
    return a.bucket != b.bucket ? a.bucket < b.bucket : a.fraction < b.fraction;
  }
};

struct QueueSettings {
  bool enabled = false;
  int64_t admit_per_minute = 0;  // 0: paused
  int pow_difficulty = 0;        // leading zero bits asked of a join's proof of work; 0: none
};

using QueueTime = std::chrono::sys_time<std::chrono::milliseconds>;

// The state every replica shares.
struct QueueState {
  EventId event = 0;
  QueueSettings settings;
  QueuePlace watermark;   // places before it are admitted
  QueueTime advanced_at;  // when it last moved (or the queue was configured)
  double carry = 0;       // admissions owed to the next advance (a fraction of one)
  double admitted = 0;    // buyers admitted so far
};

// Where the shared state lives. Implementations are thread-safe and block on I/O.
class QueueRepository {
 public:
  using Arrivals = std::map<int64_t, int64_t>;  // bucket -> buyers who joined in it
  // Given the state, the arrivals from its watermark on, and the moment up to which every live
  // replica's arrivals are written (see heartbeat).
  using Decide =
      std::function<std::optional<QueueState>(const QueueState&, const Arrivals&, QueueTime)>;

  virtual ~QueueRepository() = default;
  virtual std::optional<QueueState> queue(EventId event) = 0;
  virtual std::vector<QueueState> enabledQueues() = 0;
  // Creates or changes an event's queue settings, keeping its watermark.
  virtual QueueState configure(EventId event, const QueueSettings& settings, QueueTime now) = 0;
  // This replica's arrivals per bucket, as absolute counts (so that a retry is harmless).
  virtual void recordArrivals(const std::string& replica, EventId event,
                              const Arrivals& counts) = 0;
  // This replica's arrivals are written up to `counted` (its joins before that moment). A
  // replica not heard from for 10 s no longer counts as live.
  virtual void heartbeat(const std::string& replica, QueueTime counted) = 0;
  // Every replica's arrivals per bucket, from bucket `from` on.
  virtual Arrivals arrivals(EventId event, int64_t from) = 0;
  // Locks the queue's state, unless another replica holds it (then false, nothing done), and
  // stores what `decide` returns (given the state and the arrivals from its watermark on), with
  // its watermark logged as passed at `now`. nullopt leaves the state as it is. The arrivals
  // are complete up to the earliest heartbeat of the replicas live at `now`.
  virtual bool advance(EventId event, QueueTime now, const Decide& decide) = 0;
  // When the watermark first passed `place`, if it has.
  virtual std::optional<QueueTime> admittedAt(EventId event, QueuePlace place) = 0;
  // The log of the watermark's moves after `after`: each place it stopped at, and when, in order.
  virtual std::vector<std::pair<QueuePlace, QueueTime>> advances(EventId event,
                                                                 QueuePlace after) = 0;
  // The named secret every replica shares, made by `generate` and stored the first time.
  virtual std::string secret(const std::string& name,
                             const std::function<std::string()>& generate) = 0;
};

class WaitingRoomObserver {
 public:
  virtual ~WaitingRoomObserver() = default;
  virtual void onJoin(EventId event) = 0;
  virtual void onJoinRefused(std::string_view reason) = 0;  // "rate_limited", "proof_of_work"
  // After every tick, each enabled queue: buyers waiting, admitted so far, the rate, and how
  // long the longest-waiting buyer has waited.
  virtual void onQueue(EventId event, int64_t waiting, int64_t admitted, int64_t admit_per_minute,
                       double oldest_wait_seconds) = 0;
  // An event's queue was turned off: its figures no longer apply.
  virtual void onQueueClosed(EventId event) = 0;
  // How long an admitted buyer waited, from joining to asking for a basket with the admission.
  virtual void onAdmitted(EventId event, double waited_seconds) = 0;
};

enum class QueueStatus { kWaiting, kAdmitted, kExpired };
std::string_view toString(QueueStatus status);

// A buyer's token and what it means now.
struct QueueTicket {
  std::string token;
  EventId event = 0;
  QueueStatus status = QueueStatus::kWaiting;
  int64_t position = 0;  // place in line (estimated): 1 is next; 0 once admitted
  std::optional<int64_t> estimated_wait_seconds;  // none while the queue is paused
  std::optional<SystemTime> admitted_until;
};

// An admission, as a basket uses it.
struct QueuePass {
  std::string id;
  EventId event = 0;
  int64_t joined_ms = 0;
};

// A queue as its organiser sees it.
struct QueueReport {
  EventId event = 0;
  QueueSettings settings;
  int64_t waiting = 0;
  int64_t admitted = 0;
  int64_t oldest_wait_seconds = 0;
};

// What a buyer needs before joining: whether there is a queue, and the proof of work it asks.
struct QueueChallenge {
  EventId event = 0;
  bool enabled = false;
  int difficulty = 0;
  std::string challenge;  // empty when no proof is asked
};

// How far the watermark of `state` moves at `now` (pure; see WaitingRoom): by the rate times
// the time since it last moved (at most 5 s of it), over the arrivals of complete seconds only:
// those over before `counted_until`, the moment up to which every replica's counts are written
// (default: 2 s ago); the pre-sale cohort once counts are written since the sale started. Never
// before the sale starts. Exposed for tests.
QueueState advanceWatermark(const QueueState& state, const QueueRepository::Arrivals& arrivals,
                            QueueTime now, std::optional<SystemTime> sale_starts_at,
                            std::optional<QueueTime> counted_until = std::nullopt);
// Buyers before `place` among `arrivals` (those of its own bucket pro rata).
double queueRank(const QueueRepository::Arrivals& arrivals, QueuePlace place);

class WaitingRoom {
 public:
  struct Options {
    std::chrono::seconds admission_lasts{900};
    // Joins per client per event: a burst, then one every `join_interval`.
    int64_t join_burst = 10;
    std::chrono::seconds join_interval{6};
    std::chrono::seconds challenge_lasts{300};
  };

  // `secret`: QUEUE_SECRET, or empty to use the one kept in the database.
  WaitingRoom(QueueRepository& queues, CatalogueRepository& catalogue, const Clock& clock,
              std::string secret, Options options, WaitingRoomObserver* observer = nullptr);

  Result<QueueReport> configure(EventId event, const QueueSettings& settings);
  Result<QueueReport> report(EventId event);
  Result<QueueChallenge> challenge(EventId event);
  Result<QueueTicket> join(EventId event, const std::string& client, const std::string& challenge,
                           const std::string& nonce);
  Result<QueueTicket> status(const std::string& token);
  // The same as join() and status() when they need nothing but memory (an enabled queue read at
  // the last tick; a token still waiting), so that they can answer on an I/O thread; nullopt
  // when they would read the database.
  std::optional<Result<QueueTicket>> tryJoin(EventId event, const std::string& client,
                                             const std::string& challenge,
                                             const std::string& nonce);
  std::optional<Result<QueueTicket>> tryStatus(const std::string& token);
  // What a basket of `events` needs: nothing (nullopt) when none has an enabled queue, else the
  // id of the admitted pass `token` is for one of them (the basket's items must all be of it).
  // kQueueRequired (naming the event) without a token or with one not admitted; kForbidden for a
  // token of another event, forged, or past its admission.
  Result<std::optional<QueuePass>> passFor(const std::vector<EventId>& events,
                                           const std::string& token);
  // A basket was made with `pass` (for the time buyers waited).
  void basketMade(const QueuePass& pass);

  // Every second: this replica's arrivals written, due watermarks advanced, the shared state
  // read again.
  void tick();

 private:
  struct Token {
    EventId event = 0;
    QueuePlace place;
    int64_t joined_ms = 0;
    std::string id;
  };
  struct Cached {
    QueueState state;
    QueueRepository::Arrivals arrivals;  // from the watermark's bucket on, all replicas
    std::optional<SystemTime> sale_starts_at;
    bool exists = false;  // false: the event has no queue
    // When the watermark passed each place it stopped at, in order (see admittedAt).
    std::vector<std::pair<QueuePlace, QueueTime>> advances;
  };

  const std::string& key() const;
  std::string sign(const Token& token);
  std::optional<Token> verify(const std::string& token);
  // The event's queue as last read (at most a tick ago), or nullopt if it has none. Under mutex_.
  std::optional<Cached> cached(EventId event);
  Result<QueueTicket> describe(const Token& token, const std::string& text);
  bool allowJoin(EventId event, const std::string& client, SystemTime now);  // under mutex_
  // kNotFound for an event that does not exist (a read: call it outside mutex_).
  std::optional<DomainError> unknownEvent(EventId event);
  // Whether the event's enabled queue is in memory (and `place`, if given, is still waiting).
  bool inMemory(EventId event, std::optional<QueuePlace> place);

  QueueRepository& queues_;
  CatalogueRepository& catalogue_;
  const Clock& clock_;
  std::string secret_;
  std::string key_;
  const Options options_;
  WaitingRoomObserver* observer_;
  const std::string replica_;

  std::mutex mutex_;
  std::map<EventId, Cached> cache_;
  std::map<EventId, QueueRepository::Arrivals> mine_;  // this replica's arrivals
  struct Bucket {
    double tokens = 0;
    SystemTime at;
  };
  std::unordered_map<std::string, Bucket> joins_;  // client/event -> join allowance
  std::set<std::string> used_challenges_;
  std::vector<EventId> reported_;  // queues whose figures were reported at the last tick
  std::deque<std::pair<SystemTime, std::string>> challenge_expiry_;
};

}  // namespace tickets
