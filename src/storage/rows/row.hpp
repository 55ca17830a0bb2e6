#pragma once
// What the row mappings of src/storage/rows/ read from and write to, so that each aggregate's
// columns, reader and binder are written once and shared by every backend. A backend adapts its
// own result type to ColumnReader (SQLite: a stepped Statement; PostgreSQL: a PGresult row) and
// binds a Values list to its own statement (sqlite_rows.hpp, pg_rows.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace quire::storage::rows {

// Raw bytes (a hash), stored as BLOB on SQLite and bytea on PostgreSQL.
struct Blob {
  std::string bytes;
};

// One parameter of a statement: NULL, an integer, a text or raw bytes.
using Value = std::variant<std::monostate, std::int64_t, std::string, Blob>;

// Parameters in the order of their placeholders.
class Values {
 public:
  Values& add(std::int64_t value) {
    values_.emplace_back(value);
    return *this;
  }
  Values& add(std::string_view value) {
    values_.emplace_back(std::string(value));
    return *this;
  }
  Values& add(const char* value) { return add(std::string_view(value)); }
  Values& add(const std::string& value) { return add(std::string_view(value)); }
  Values& add(bool value) { return add(std::int64_t{value ? 1 : 0}); }
  Values& add(Blob value) {
    values_.emplace_back(std::move(value));
    return *this;
  }
  Values& add(std::nullopt_t) {
    values_.emplace_back(std::monostate{});
    return *this;
  }
  template <class T>
  Values& add(const std::optional<T>& value) {
    return value ? add(*value) : add(std::nullopt);
  }

  const std::vector<Value>& list() const noexcept { return values_; }
  int size() const noexcept { return static_cast<int>(values_.size()); }

 private:
  std::vector<Value> values_;
};

// Column `i` (from 0) of the current row of a result. Throws on a value of the wrong kind (the
// backend's own exception, which its guarded() turns into Errc::storage).
class ColumnReader {
 public:
  virtual ~ColumnReader() = default;
  virtual bool is_null(int column) const = 0;
  virtual std::int64_t int64(int column) const = 0;
  virtual double real(int column) const = 0;
  virtual bool boolean(int column) const = 0;
  // Valid until the row changes.
  virtual std::string_view text(int column) const = 0;
  // The raw bytes of a BLOB or bytea column.
  virtual std::string blob(int column) const = 0;

  std::string string(int column) const { return std::string(text(column)); }
  std::optional<std::int64_t> optional_int64(int column) const {
    if (is_null(column)) return std::nullopt;
    return int64(column);
  }
  std::optional<std::string> optional_string(int column) const {
    if (is_null(column)) return std::nullopt;
    return string(column);
  }
};

}  // namespace quire::storage::rows
