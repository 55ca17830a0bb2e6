#pragma once
// The shared row mappings (src/storage/rows/) over libpq: a row of a PGresult as a ColumnReader,
// and a Values list as text parameters.

#include "storage/postgres/pg_connection.hpp"
#include "storage/rows/row.hpp"
#include "storage/rows/sql.hpp"

namespace quire::storage::postgres {

inline constexpr rows::Dialect dialect{'$', "coalesce(p.published_at, 0)", " COLLATE \"C\""};

class ResultReader final : public rows::ColumnReader {
 public:
  ResultReader(const PgResult& result, int row) noexcept : result_(result), row_(row) {}
  bool is_null(int column) const override { return result_.is_null(row_, column); }
  std::int64_t int64(int column) const override { return result_.int64(row_, column); }
  double real(int column) const override;
  bool boolean(int column) const override { return result_.boolean(row_, column); }
  std::string_view text(int column) const override { return result_.text(row_, column); }
  std::string blob(int column) const override;

 private:
  const PgResult& result_;
  int row_;
};

// `values` after what `params` already holds.
Params& add_values(Params& params, const rows::Values& values);
inline Params to_params(const rows::Values& values) {
  Params params;
  add_values(params, values);
  return params;
}

// A reader over `read(const ColumnReader&)`, in the shape collect() and first_row() take.
template <class Read>
auto reading(Read read) {
  return [read](const PgResult& result, int row) { return read(ResultReader(result, row)); };
}

}  // namespace quire::storage::postgres
