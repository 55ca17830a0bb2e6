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
#define QUIRE_TRY(...) QUIRE_TRY_PICK_(__VA_ARGS__, QUIRE_TRY_VALUE_, QUIRE_TRY_VOID_)(__VA_ARGS__)

#define QUIRE_TRY_PICK_(_1, _2, name, ...) name
#define QUIRE_TRY_CAT2_(a, b) a##b
#define QUIRE_TRY_CAT_(a, b) QUIRE_TRY_CAT2_(a, b)
#define QUIRE_TRY_UNIQUE_ QUIRE_TRY_CAT_(quire_try_, __COUNTER__)
#define QUIRE_TRY_VOID_(expr) QUIRE_TRY_VOID_IMPL_(QUIRE_TRY_UNIQUE_, expr)
#define QUIRE_TRY_VOID_IMPL_(unique, expr) \
  auto&& unique = (expr);                  \
  if (!unique) [[unlikely]]                \
  return std::move(unique).as_failure()
#define QUIRE_TRY_VALUE_(target, expr) QUIRE_TRY_VALUE_IMPL_(QUIRE_TRY_UNIQUE_, target, expr)
#define QUIRE_TRY_VALUE_IMPL_(unique, target, expr) \
  QUIRE_TRY_VOID_IMPL_(unique, expr);               \
  target = std::move(unique).value()
