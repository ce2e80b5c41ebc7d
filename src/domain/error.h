#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace tickets {

// Errors that depend on the caller's input. They are values, never exceptions; the API layer
// maps each code to exactly one HTTP status and problem type.
enum class ErrorCode {
  kInvalidArgument,  // a field is malformed or out of range (400)
  kNotFound,         // the thing asked for does not exist (or must not be revealed) (404)
  kConflict,         // the request contradicts the current state (409)
  kSoldOut,          // not enough stock left (409)
  kNotOnSale,        // the event is not on sale now (409)
  kGone,             // it existed but is over: an expired basket, a void ticket (410)
  kUnprocessable,    // well-formed but not a valid request (422)
  kOrderAdmitted,    // the order cannot change: a ticket of it was admitted at the door (409)
  kEventStarted,     // too late: the event has started (409)
  kUnauthenticated,  // no valid credential was presented (401)
  kForbidden,        // the credential does not allow this (403)
  kAccessDisabled,   // no valid credential, and the bootstrap ADMIN_TOKEN is not set (403)
  kWrongEvent,       // a ticket of another event presented at this event's door (409)
  kTooManyHolds,     // the client already holds as many live baskets of the event as allowed (429)
  kQueueRequired,    // the event sells through its waiting room: an admitted token is needed (403)
  kRateLimited,      // too many requests of this kind from this client ("retry_after" s) (429)
  kPaymentsNotConfigured,  // a priced basket, and no online payment provider configured (503)
  kProviderUnavailable,    // the payment provider cannot be reached or refused (503)
  kBadSignature,           // a webhook whose signature does not verify (401)
};

// Extra members of the problem body, e.g. which ticket type is sold out and how many are left.
struct ErrorExtension {
  std::string name;
  std::variant<int64_t, std::string> value;
};

struct DomainError {
  ErrorCode code;
  std::string detail;  // safe to show to the client
  std::string field;   // the offending input field, if any
  std::vector<ErrorExtension> extensions = {};
};

template <class T>
using Result = boost::system::result<T, DomainError>;

inline DomainError invalidArgument(std::string field, std::string detail) {
  return DomainError{ErrorCode::kInvalidArgument, std::move(detail), std::move(field)};
}

inline DomainError unprocessable(std::string field, std::string detail) {
  return DomainError{ErrorCode::kUnprocessable, std::move(detail), std::move(field)};
}

inline DomainError notFound(std::string detail) {
  return DomainError{ErrorCode::kNotFound, std::move(detail), {}};
}

// Thrown only when code calls value() on a Result holding an error: a programming mistake.
class UncheckedDomainError : public std::logic_error {
 public:
  explicit UncheckedDomainError(const DomainError& e) : std::logic_error(e.detail) {}
};

[[noreturn]] inline void throw_exception_from_error(const DomainError& e,
                                                    const boost::source_location&) {
  throw UncheckedDomainError(e);
}

}  // namespace tickets
