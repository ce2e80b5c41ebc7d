#pragma once

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace tickets {

// Failures of the database infrastructure. They are thrown, caught at the request boundary, and
// never shown to clients in detail.
class DatabaseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The database cannot serve now (down, locked, timed out); retrying later may succeed (503).
class DatabaseUnavailable : public DatabaseError {
 public:
  using DatabaseError::DatabaseError;
};

// Concurrent transactions collided (serialization failure, deadlock); the whole transaction
// may be retried as it was.
class TransientConflict : public DatabaseUnavailable {
 public:
  using DatabaseUnavailable::DatabaseUnavailable;
};

// The database refused a change that breaks a constraint (a unique key taken meanwhile).
class ConstraintViolation : public DatabaseError {
 public:
  ConstraintViolation(const std::string& message, std::string constraint)
      : DatabaseError(message), constraint_(std::move(constraint)) {}
  const std::string& constraint() const { return constraint_; }

 private:
  std::string constraint_;
};

// No connection could be checked out of the pool within its timeout.
class PoolExhausted : public DatabaseUnavailable {
 public:
  PoolExhausted(size_t pool_size, std::chrono::milliseconds waited)
      : DatabaseUnavailable("connection pool exhausted"), pool_size_(pool_size), waited_(waited) {}
  size_t poolSize() const { return pool_size_; }
  std::chrono::milliseconds waited() const { return waited_; }

 private:
  size_t pool_size_;
  std::chrono::milliseconds waited_;
};

}  // namespace tickets
