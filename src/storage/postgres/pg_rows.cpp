#include "storage/postgres/pg_rows.hpp"

#include <charconv>

#include "storage/postgres/pg_errors.hpp"
#include "storage/postgres/pg_stores.hpp"

namespace quire::storage::postgres {

double ResultReader::real(int column) const {
  const auto text = result_.text(row_, column);
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    throw BadValue("expected a number from PostgreSQL");
  }
  return value;
}

std::string ResultReader::blob(int column) const {
  return bytea_bytes(result_, row_, column);
}

Params& add_values(Params& params, const rows::Values& values) {
  for (const auto& value : values.list()) {
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::monostate>) {
            params.add(std::nullopt);
          } else if constexpr (std::is_same_v<V, rows::Blob>) {
            params.add(bytea_param(v.bytes));
          } else {
            params.add(v);
          }
        },
        value);
  }
  return params;
}

}  // namespace quire::storage::postgres
