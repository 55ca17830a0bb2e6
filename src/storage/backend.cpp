// Opens the backend a URL names. Each backend lives in its own folder; this is the only place that
// knows them all.

#include <fmt/format.h>

#include <quire/storage.hpp>

#include "storage/sqlite/sqlite_backend.hpp"

namespace quire::storage {

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
  return fail(Errc::invalid_argument,
              fmt::format("url must start with sqlite: (e.g. sqlite:blog.db or sqlite::memory:), "
                          "got \"{}\"",
                          url.substr(0, 64)));
}

}  // namespace quire::storage
