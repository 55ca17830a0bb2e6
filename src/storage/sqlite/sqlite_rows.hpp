#pragma once
// The shared row mappings (src/storage/rows/) over SQLiteCpp: a stepped statement as a
// ColumnReader, and a Values list bound to a statement's parameters.

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include "storage/rows/row.hpp"
#include "storage/rows/sql.hpp"

namespace quire::storage::sqlite {

inline constexpr rows::Dialect dialect{'?', "ifnull(p.published_at, 0)", ""};

class StatementReader final : public rows::ColumnReader {
 public:
  explicit StatementReader(SQLite::Statement& row) noexcept : row_(row) {}
  bool is_null(int column) const override { return row_.isColumnNull(column); }
  std::int64_t int64(int column) const override { return row_.getColumn(column).getInt64(); }
  double real(int column) const override { return row_.getColumn(column).getDouble(); }
  bool boolean(int column) const override { return row_.getColumn(column).getInt() != 0; }
  std::string_view text(int column) const override {
    const auto value = row_.getColumn(column);
    return {value.getText(), static_cast<std::size_t>(value.getBytes())};
  }
  std::string blob(int column) const override {
    const auto value = row_.getColumn(column);
    return {static_cast<const char*>(value.getBlob()), static_cast<std::size_t>(value.getBytes())};
  }

 private:
  SQLite::Statement& row_;
};

// Binds `values` to parameters first, first + 1, …, without copying: they must outlive the
// statement's run.
inline void bind_values(SQLite::Statement& statement, const rows::Values& values, int first = 1) {
  int index = first;
  for (const auto& value : values.list()) {
    std::visit(
        [&](const auto& v) {
          using V = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<V, std::monostate>) {
            statement.bind(index);
          } else if constexpr (std::is_same_v<V, std::int64_t>) {
            statement.bind(index, v);
          } else if constexpr (std::is_same_v<V, std::string>) {
            statement.bindNoCopy(index, v);
          } else {
            statement.bindNoCopy(index, v.bytes.data(), static_cast<int>(v.bytes.size()));
          }
        },
        value);
    ++index;
  }
}

// A reader over `read(const ColumnReader&)`, in the shape collect() and find_one() take.
template <class Read>
auto reading(Read read) {
  return [read](SQLite::Statement& row) { return read(StatementReader(row)); };
}

}  // namespace quire::storage::sqlite
