#pragma once
// What every capi/*-c.cpp shares: the handle structs behind quire.h's opaque types, the thread's
// last error, guard() (no exception crosses the ABI) and the argument checks.
//
// An entry point reads:
//   QUIRE_EXPORT quire_status quire_user_get(char** out_json, quire_ctx* ctx, int64_t user_id) {
//     return guard([&] {
//       auto& out = out_param(out_json, "out_json");
//       out = give(encode(unwrap(context_of(ctx).users().get(user_id))));
//     });
//   }
// Failures are thrown as quire::Error (the checks below, and unwrap() on a failed Result) and
// guard() turns them into a status and the thread's last error.
//
// A new engine adds: its entry points and its record codecs in one <engine>-c.cpp (with the JSON
// toolkit of json.hpp; decoders take their known fields from the generated abi_fields.hpp), and its
// functions, records and inputs to capi/quire.abi.json; `scripts/quire gen` then writes quire.h's
// declarations, quire.symbols, abi_fields.hpp and both bindings' tables (docs/c-abi.md).

#include <quire.h>

#include <cstdint>
#include <exception>
#include <new>
#include <optional>
#include <quire/database.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

// ---- Handles ------------------------------------------------------------------------------------
// Each handle starts with a magic number, set while it lives and cleared when it is freed (or, for
// a transaction handle, when its body returns), so a freed, foreign or garbage pointer is refused
// with QUIRE_EINVAL where that can be detected, instead of being used.

namespace quire::capi {

constexpr std::uint64_t db_magic = 0x71756972'65646230;   // "quiredb0"
constexpr std::uint64_t ctx_magic = 0x71756972'65637478;  // "quirectx"

// Overwrites a magic number in a way the compiler may not drop as a dead store before delete.
inline void clear_magic(std::uint64_t& magic) noexcept {
  *static_cast<volatile std::uint64_t*>(&magic) = 0;
}

}  // namespace quire::capi

struct quire_db {
  explicit quire_db(quire::Database database) : db(std::move(database)) {}
  quire_db(const quire_db&) = delete;
  quire_db& operator=(const quire_db&) = delete;
  ~quire_db() { quire::capi::clear_magic(magic); }

  std::uint64_t magic = quire::capi::db_magic;
  quire::Database db;  // shares the database's state with every context made from it
};

struct quire_ctx {
  quire_ctx(quire::Database database, quire::Context context, bool owned_by_library = false)
      : db(std::move(database)), ctx(std::move(context)), borrowed(owned_by_library) {}
  quire_ctx(const quire_ctx&) = delete;
  quire_ctx& operator=(const quire_ctx&) = delete;
  ~quire_ctx() { quire::capi::clear_magic(magic); }

  std::uint64_t magic = quire::capi::ctx_magic;
  quire::Database db;  // keeps the database alive, and runs transactions on ctx
  quire::Context ctx;
  bool borrowed;  // a transaction body's handle: the library frees it, quire_ctx_free ignores it
};

namespace quire::capi {

// ---- The thread's last error -------------------------------------------------------------------

void set_last_error(quire_status code, std::string_view message, std::string_view detail = {},
                    const ErrorFacts& facts = {}) noexcept;
// Records QUIRE_EINTERNAL "out of memory" without allocating.
void set_last_error_oom() noexcept;
quire_status last_error_code() noexcept;
const char* last_error_message() noexcept;
// Counts the failures recorded on this thread, so a caller can tell whether one happened since.
std::uint64_t last_error_generation() noexcept;

constexpr quire_status status_of(Errc code) noexcept {
  return -static_cast<quire_status>(code);
}
// The Errc of a status; internal for a status that is not one of quire's.
Errc errc_of(quire_status status) noexcept;

// Records an Error as the thread's last error and returns its status.
quire_status report(const Error& error) noexcept;

[[noreturn]] void throw_invalid(std::string message);
// QUIRE_EINVAL about one field or argument, which ErrorFacts::field names.
[[noreturn]] void throw_invalid_field(std::string field, std::string message);

// Runs an entry point's body: a body returning void gives QUIRE_OK, one returning a quire_status
// gives that. Every exception becomes a status and the thread's last error.
template <class Body>
quire_status guard(Body&& body) noexcept {
  try {
    if constexpr (std::is_void_v<std::invoke_result_t<Body>>) {
      std::forward<Body>(body)();
      return QUIRE_OK;
    } else {
      return std::forward<Body>(body)();
    }
  } catch (const Error& error) {
    return report(error);
  } catch (const std::bad_alloc&) {
    set_last_error_oom();
    return QUIRE_EINTERNAL;
  } catch (const std::exception& e) {
    set_last_error(QUIRE_EINTERNAL, e.what());
    return QUIRE_EINTERNAL;
  } catch (...) {
    set_last_error(QUIRE_EINTERNAL, "unknown exception");
    return QUIRE_EINTERNAL;
  }
}

// The value of a Result, or its Error thrown for guard().
template <class T>
T unwrap(Result<T>&& result) {
  if (!result) throw std::move(result).assume_error();
  return std::move(result).assume_value();
}
inline void unwrap(Result<void>&& result) {
  if (!result) throw std::move(result).assume_error();
}

// ---- Arguments ---------------------------------------------------------------------------------

// A required out-parameter, set to NULL on entry. `name` names it in the message.
template <class T>
T*& out_param(T** out, const char* name) {
  if (out == nullptr) throw_invalid(std::string(name) + " must not be NULL");
  *out = nullptr;
  return *out;
}

// A live handle of the right type, or QUIRE_EINVAL.
quire_db& db_of(quire_db* db, const char* name = "db");
quire_ctx& ctx_of(quire_ctx* ctx, const char* name = "ctx");
inline Context& context_of(quire_ctx* ctx, const char* name = "ctx") {
  return ctx_of(ctx, name).ctx;
}
// The database of a live handle that is still open: contexts are only made on an open database (a
// closed one would refuse their every call).
const Database& open_db_of(quire_db* db);
// A new context handle the caller owns.
quire_ctx* new_context(const Database& db, Context context);
// True for a live handle; never throws (for the _free functions).
bool is_live(const quire_db* db) noexcept;
bool is_live(const quire_ctx* ctx) noexcept;

// A required string argument.
std::string_view string_arg(const char* value, const char* name);
// A tenant named by slug or decimal id.
TenantRef tenant_ref(const char* value, const char* name = "tenant");
TenantRef tenant_ref(std::string_view value, std::string_view name);

// A copy of `text` in memory the caller releases with quire_free().
char* give(std::string_view text);

// The shape of most entry points: `make()` gives the text handed over through `out`.
template <class Make>
quire_status give_out(char** out, const char* name, Make&& make) noexcept {
  return guard([&] {
    auto& text = out_param(out, name);
    text = give(std::forward<Make>(make)());
  });
}

// ---- Record codecs of json-c.cpp ---------------------------------------------------------------
// Decoders refuse a NULL (unless the argument is optional), malformed JSON, a value that is not an
// object, an unknown field, a wrong type and a missing required field with QUIRE_EINVAL, naming the
// argument and the field.

Options decode_options(const char* options_json);
NewTenant decode_new_tenant(const char* tenant_json);
TenantPatch decode_tenant_patch(const char* patch_json);
TenantQuery decode_tenant_query(const char* query_json);
NewUser decode_new_user(const char* user_json);
UserPatch decode_user_patch(const char* patch_json);
UserQuery decode_user_query(const char* query_json);
// {"ip","user_agent","request_id"}, each optional.
RequestInfo decode_request(const char* request_json);
// quire_db_context's argument: a tenant, a user and the request metadata.
struct ContextRequest {
  TenantRef tenant{TenantId{0}};
  UserId user = 0;
  RequestInfo request;
};
ContextRequest decode_context(const char* context_json);

std::string encode(const Tenant& tenant);
std::string encode(const User& user);
std::string encode(const Member& member);
std::string encode(const Page<Tenant>& page);
std::string encode(const Page<User>& page);
std::string encode(const std::vector<Member>& members);

}  // namespace quire::capi
