// Linked into every executable of a ThreadSanitizer build (TICKETS_TSAN), and only there.
// libstdc++ 12 implements std::timed_mutex::try_lock_for with pthread_mutex_clocklock, which
// GCC 12's ThreadSanitizer does not intercept (llvm/llvm-project#62623): it never sees the
// lock, reports the unlock as "unlock of an unlocked mutex" and loses the ordering the mutex
// gives. This definition takes precedence over glibc's and waits with pthread_mutex_timedlock,
// which ThreadSanitizer does intercept, until the same deadline on CLOCK_REALTIME.
#include <pthread.h>
#include <time.h>

extern "C" int pthread_mutex_clocklock(pthread_mutex_t* mutex, clockid_t clock,
                                       const struct timespec* deadline) noexcept {
  if (clock == CLOCK_REALTIME) {
    return pthread_mutex_timedlock(mutex, deadline);
  }
  constexpr long long kNanosPerSecond = 1'000'000'000;
  timespec now{};
  timespec real_now{};
  clock_gettime(clock, &now);
  clock_gettime(CLOCK_REALTIME, &real_now);
  const long long real_deadline =
      (real_now.tv_sec + deadline->tv_sec - now.tv_sec) * kNanosPerSecond + real_now.tv_nsec +
      deadline->tv_nsec - now.tv_nsec;
  const timespec converted{static_cast<time_t>(real_deadline / kNanosPerSecond),
                           static_cast<long>(real_deadline % kNanosPerSecond)};
  return pthread_mutex_timedlock(mutex, &converted);
}
