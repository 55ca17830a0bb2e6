#pragma once
// PostgreSQL's errors mapped to quire's Errc, in one place. The SQLSTATE and the server's primary
// message are kept in Error::backend_detail; the server's DETAIL is never passed on, since it
// quotes key values, which may belong to another tenant.

#include <libpq-fe.h>

#include <new>
#include <quire/result.hpp>
#include <stdexcept>
#include <string_view>

namespace quire::storage::postgres {

// The Error for a statement that failed with `sqlstate` (five characters; empty when the server
// sent none, e.g. because the connection broke). `constraint` and `table` come from the error's
// fields, when the server sent them.
Error sqlstate_error(std::string_view sqlstate, std::string_view message,
                     std::string_view constraint = {}, std::string_view table = {});

// The Error for a failed result: its SQLSTATE, or a lost connection when `connection` is broken.
Error result_error(const PGresult* result, const PGconn* connection);

// The Error for a connection that could not be opened, or broke.
Error connection_error(std::string_view what, const PGconn* connection);

// True for the SQLSTATEs that mean the connection is gone (class 08, server shutdown).
bool is_connection_failure(std::string_view sqlstate) noexcept;

// Thrown by result readers on a value that is not what the column should hold; guarded() turns it
// into Errc::corrupt.
class BadValue : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Runs `body`, turning the exceptions the standard library throws into Errors, so that no
// exception crosses a store's noexcept boundary.
template <class Body>
auto guarded(Body&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const BadValue& e) {
    return fail(Errc::corrupt, e.what());
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

}  // namespace quire::storage::postgres
