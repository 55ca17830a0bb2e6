#pragma once
// quire::Result<T>: a value or an Error (Boost.Outcome). Source-compatible only: Boost.Outcome has
// no ABI guarantee, so binary stability is the C ABI's job (quire.h).

#include <boost/outcome/std_result.hpp>
#include <quire/error.hpp>
#include <string>
#include <utility>

namespace quire {

template <class T>
using Result = BOOST_OUTCOME_V2_NAMESPACE::std_result<T, Error>;

using BOOST_OUTCOME_V2_NAMESPACE::success;

// Builds the failure of any Result: `return fail(Errc::not_found, "tenant \"acme\" not found");`
QUIRE_EXPORT Error fail(Errc code, std::string message, std::string backend_detail = {});

}  // namespace quire

// Propagates a failure to the caller, or takes the value:
//   QUIRE_TRY(store.put(row));                  // only the failure matters
//   QUIRE_TRY(auto row, store.get(id));         // declares row
//   QUIRE_TRY(tenant.name, check_name(input));  // assigns to an existing lvalue
// (Boost 1.74's BOOST_OUTCOME_TRY can only declare `auto&&`, hence our own.)
#define QUIRE_TRY(...) \
  QUIRE_DETAIL_TRY_PICK(__VA_ARGS__, QUIRE_DETAIL_TRY_VALUE, QUIRE_DETAIL_TRY_VOID)(__VA_ARGS__)

#define QUIRE_DETAIL_TRY_PICK(_1, _2, name, ...) name
#define QUIRE_DETAIL_TRY_CAT2(a, b) a##b
#define QUIRE_DETAIL_TRY_CAT(a, b) QUIRE_DETAIL_TRY_CAT2(a, b)
#define QUIRE_DETAIL_TRY_UNIQUE QUIRE_DETAIL_TRY_CAT(quire_try_, __COUNTER__)
#define QUIRE_DETAIL_TRY_VOID(expr) QUIRE_DETAIL_TRY_VOID_IMPL(QUIRE_DETAIL_TRY_UNIQUE, expr)
// `unique` and `target` are a name and a declaration or lvalue: they cannot take parentheses.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define QUIRE_DETAIL_TRY_VOID_IMPL(unique, expr) \
  auto&& unique = (expr);                        \
  if (!unique) [[unlikely]]                      \
  return std::move(unique).as_failure()
#define QUIRE_DETAIL_TRY_VALUE(target, expr) \
  QUIRE_DETAIL_TRY_VALUE_IMPL(QUIRE_DETAIL_TRY_UNIQUE, target, expr)
// assume_value: the failure case has returned already, so this cannot throw.
#define QUIRE_DETAIL_TRY_VALUE_IMPL(unique, target, expr) \
  QUIRE_DETAIL_TRY_VOID_IMPL(unique, expr);               \
  target = std::move(unique).assume_value()
// NOLINTEND(bugprone-macro-parentheses)
