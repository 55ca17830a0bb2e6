// Opens the backend a URL names. Each backend lives in its own folder; this is the only place that
// knows them all.

#include <fmt/format.h>

#include <algorithm>
#include <quire/storage.hpp>

#include "storage/postgres/pg_backend.hpp"
#include "storage/sqlite/sqlite_backend.hpp"

namespace quire::storage {

namespace {

// A libpq connection string: a postgresql:// or postgres:// URI, or key=value pairs
// ("host=db1 dbname=quire user=app").
bool is_postgres(std::string_view url) {
  if (url.starts_with("postgresql://") || url.starts_with("postgres://")) return true;
  const auto equals = url.find('=');
  if (equals == std::string_view::npos || equals == 0) return false;
  const auto keyword = url.substr(0, equals);
  return keyword.find_first_not_of("abcdefghijklmnopqrstuvwxyz_ ") == std::string_view::npos;
}

}  // namespace

Result<std::unique_ptr<Backend>> open_backend(std::string_view url,
                                              const Options& options) noexcept {
  constexpr std::string_view sqlite_scheme = "sqlite:";
  if (url == "sqlite::memory:") return sqlite::SqliteBackend::open({}, options);
  if (url.starts_with(sqlite_scheme)) {
    const auto path = url.substr(sqlite_scheme.size());
    if (path.empty()) {
      return fail(Errc::invalid_argument,
                  "url \"sqlite:\" must name a file: sqlite:path/to/file.db");
    }
    return sqlite::SqliteBackend::open(std::string(path), options);
  }
  if (is_postgres(url)) return postgres::PgBackend::open(std::string(url), options);
  return fail(Errc::invalid_argument,
              fmt::format("url must start with sqlite: (e.g. sqlite:blog.db or sqlite::memory:) "
                          "or postgresql:// (or be a libpq key=value string), got \"{}…\"",
                          // Only the scheme: the rest may hold a password.
                          url.substr(0, std::min<std::size_t>(url.find(':'), 32))));
}

Result<int> migrate(std::string_view url, const Options& options) noexcept {
  // PostgreSQL migrates over one connection of the owner, which a backend would refuse.
  if (is_postgres(url)) return postgres::PgBackend::migrate(std::string(url));
  QUIRE_TRY(auto backend, open_backend(url, options));
  return backend->schema_version();
}

}  // namespace quire::storage
