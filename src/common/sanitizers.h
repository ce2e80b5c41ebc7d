#pragma once

// TICKETS_SANITIZED is defined when this is compiled under AddressSanitizer or ThreadSanitizer
// (GCC says so with __SANITIZE_*__, clang with __has_feature), which handle fatal signals
// themselves.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TICKETS_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define TICKETS_SANITIZED 1
#endif
#endif
