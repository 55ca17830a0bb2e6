#pragma once
// SQLite's result codes mapped to quire's Errc, in one place. The native code is kept in
// Error::backend_detail.

#include <SQLiteCpp/Exception.h>

#include <new>
#include <quire/result.hpp>
#include <string_view>

namespace quire::storage::sqlite {

Error sqlite_error(int extended_code, std::string_view message);

// Runs `body`, turning the exceptions SQLiteCpp and the standard library throw into Errors, so that
// no exception crosses a store's noexcept boundary.
template <class Body>
auto guarded(Body&& body) noexcept -> decltype(body()) {
  try {
    return body();
  } catch (const SQLite::Exception& e) {
    return sqlite_error(e.getExtendedErrorCode(), e.what());
  } catch (const std::bad_alloc&) {
    return fail(Errc::internal, "out of memory");
  } catch (const std::exception& e) {
    return fail(Errc::internal, e.what());
  }
}

}  // namespace quire::storage::sqlite
