#pragma once
// SQL that both backends run alike, written once: a statement is built as text with numbered
// placeholders and a Values list, and each backend says how its dialect differs (the
// placeholder's sign and the few expressions its indexes are built on).

#include <string>
#include <string_view>

#include "storage/rows/row.hpp"

namespace quire::storage::rows {

struct Dialect {
  char placeholder;           // '?' (SQLite: ?1, ?2, …) or '$' (PostgreSQL: $1, $2, …)
  const char* published_key;  // the sort key of published orders, as posts_by_published indexes it
  const char* text_order;     // what makes text sort byte by byte in ORDER BY ("" or COLLATE "C")
};

// A statement being built: its text and its parameters.
struct Sql {
  explicit Sql(const Dialect& d) : dialect(d) {}

  // Adds a parameter and returns its placeholder.
  template <class T>
  std::string param(const T& value) {
    values.add(value);
    return placeholder(values.size());
  }
  std::string placeholder(int index) const { return dialect.placeholder + std::to_string(index); }

  const Dialect& dialect;
  std::string text;
  Values values;
};

}  // namespace quire::storage::rows
