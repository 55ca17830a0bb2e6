// quire's Node-API addon: a thin, generic layer over the C ABI (quire.h) and nothing else.
//
// Handles cross into JavaScript as type-tagged Externals (a quire_db, a quire_ctx), freed by their
// finalizer or explicitly (free/close). Strings and JSON text go in and out as JS strings; every
// non-OK status becomes a thrown QuireError (the class index.js registers) carrying `code`
// ("QUIRE_ENOTFOUND"), `status` (-2) and the library's message. A JS value of the wrong type is a
// TypeError, raised here before the C function is called. Everything else (camelCase, Dates,
// records as objects) is index.js's job.
//
// Each C function is exposed by one template, Caller<F> (registered by the generated
// abi_functions.inc, from capi/quire.abi.json), which reads F's parameter list: the leading
// out-parameter (char**, quire_ctx**, quire_tx** or none) says what comes back; each remaining
// parameter is converted from the JS argument at its position (quire_ctx* from a context External,
// quire_tx* from a transaction External, const char* from a string or null, int64_t/int32_t from
// an integral number or a BigInt).
//
// A transaction (quire_tx) is shared by its External and the External of its context
// (quire_tx_context lends that context): quire_tx_free runs when both are gone, so a context kept
// after its transaction's External was collected never dangles.

#include <napi.h>
#include <quire.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

namespace {

// Type tags: an External made by this addon for a database, a context or a transaction, and
// nothing else.
constexpr napi_type_tag kDbTag = {0x7175697265646200ULL, 0x9a1c3f05e2b84d11ULL};
constexpr napi_type_tag kCtxTag = {0x7175697265637478ULL, 0x4e0b77d2a61fc903ULL};
constexpr napi_type_tag kTxTag = {0x7175697265747830ULL, 0x2d6f91c4b3e85a17ULL};

struct TxDeleter {
  void operator()(quire_tx* tx) const { quire_tx_free(tx); }
};
using TxRef = std::shared_ptr<quire_tx>;

struct DbHandle {
  quire_db* db = nullptr;
};

struct CtxHandle {
  quire_ctx* ctx = nullptr;
  TxRef tx;  // set for a transaction's context: the transaction owns ctx, and lives while it does
};

struct TxHandle {
  TxRef tx;
};

struct AddonData {
  Napi::FunctionReference error_class;  // QuireError, registered by index.js
};

// A QuireError. facts_json: quire_last_error_json() when the error is the library's last error
// (QuireError reads its facts from it), else null.
Napi::Error make_quire_error(Napi::Env env, quire_status status, const char* message,
                             const char* facts_json = nullptr) {
  Napi::Object err;
  auto* data = env.GetInstanceData<AddonData>();
  Napi::String msg = Napi::String::New(env, message);
  if (data != nullptr && !data->error_class.IsEmpty()) {
    Napi::Value facts = facts_json != nullptr ? Napi::String::New(env, facts_json) : env.Null();
    err = data->error_class.New({msg, facts});
  } else {
    err = Napi::Error::New(env, message).Value();
  }
  err.Set("code", Napi::String::New(env, quire_status_name(status)));
  err.Set("status", Napi::Number::New(env, status));
  const char* detail = quire_last_error_detail();
  if (detail != nullptr && detail[0] != '\0') err.Set("detail", Napi::String::New(env, detail));
  return Napi::Error(env, err);
}

// The calling thread's last error as a QuireError (status: what the call returned).
Napi::Error last_error(Napi::Env env, quire_status status) {
  const char* message = quire_last_error_message();
  if (quire_last_error_code() != status || message == nullptr || message[0] == '\0') {
    std::string text = std::string("quire call failed with ") + quire_status_name(status);
    return make_quire_error(env, status, text.c_str());
  }
  return make_quire_error(env, status, message, quire_last_error_json());
}

[[noreturn]] void type_error(Napi::Env env, const std::string& what) {
  throw Napi::TypeError::New(env, what);
}

std::string arg_name(size_t index) {
  return "argument " + std::to_string(index + 1);
}

// ---- JS → C arguments ------------------------------------------------------------------------

template <class T>
struct Arg;

template <>
struct Arg<const char*> {
  std::optional<std::string> value;
  Arg(const Napi::CallbackInfo& info, size_t i) {
    Napi::Value v = info[i];
    if (v.IsNull() || v.IsUndefined()) return;
    if (!v.IsString()) type_error(info.Env(), arg_name(i) + " must be a string");
    value = v.As<Napi::String>().Utf8Value();
    if (value->find('\0') != std::string::npos) {
      type_error(info.Env(), arg_name(i) + " must not contain a NUL character");
    }
  }
  const char* get() const { return value ? value->c_str() : nullptr; }
};

int64_t to_int64(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (v.IsBigInt()) {
    bool lossless = false;
    int64_t n = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (!lossless) throw Napi::RangeError::New(info.Env(), arg_name(i) + " is out of range");
    return n;
  }
  if (!v.IsNumber()) type_error(info.Env(), arg_name(i) + " must be an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || std::trunc(d) != d) {
    type_error(info.Env(), arg_name(i) + " must be an integer");
  }
  if (std::fabs(d) > 9007199254740991.0) {
    throw Napi::RangeError::New(info.Env(), arg_name(i) + " is out of range");
  }
  return static_cast<int64_t>(d);
}

template <>
struct Arg<int64_t> {
  int64_t value;
  Arg(const Napi::CallbackInfo& info, size_t i) : value(to_int64(info, i)) {}
  int64_t get() const { return value; }
};

template <>
struct Arg<int32_t> {
  int32_t value;
  Arg(const Napi::CallbackInfo& info, size_t i) {
    int64_t n = to_int64(info, i);
    if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
      throw Napi::RangeError::New(info.Env(), arg_name(i) + " is out of range");
    }
    value = static_cast<int32_t>(n);
  }
  int32_t get() const { return value; }
};

CtxHandle* ctx_handle(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsExternal() || !v.As<Napi::External<CtxHandle>>().CheckTypeTag(&kCtxTag)) {
    type_error(info.Env(), arg_name(i) + " must be a quire context handle");
  }
  return v.As<Napi::External<CtxHandle>>().Data();
}

DbHandle* db_handle(const Napi::CallbackInfo& info, size_t i) {
  Napi::Value v = info[i];
  if (!v.IsExternal() || !v.As<Napi::External<DbHandle>>().CheckTypeTag(&kDbTag)) {
    type_error(info.Env(), arg_name(i) + " must be a quire database handle");
  }
  return v.As<Napi::External<DbHandle>>().Data();
}

template <>
struct Arg<quire_ctx*> {
  quire_ctx* value;
  Arg(const Napi::CallbackInfo& info, size_t i) {
    CtxHandle* h = ctx_handle(info, i);
    if (h->ctx == nullptr)
      throw make_quire_error(info.Env(), QUIRE_EINVAL, "ctx: the context was freed");
    value = h->ctx;
  }
  quire_ctx* get() const { return value; }
};

template <>
struct Arg<quire_db*> {
  quire_db* value;
  Arg(const Napi::CallbackInfo& info, size_t i) {
    DbHandle* h = db_handle(info, i);
    if (h->db == nullptr)
      throw make_quire_error(info.Env(), QUIRE_EINVAL, "db: the database is closed");
    value = h->db;
  }
  quire_db* get() const { return value; }
};

template <>
struct Arg<quire_tx*> {
  quire_tx* value;
  Arg(const Napi::CallbackInfo& info, size_t i) {
    Napi::Value v = info[i];
    if (!v.IsExternal() || !v.As<Napi::External<TxHandle>>().CheckTypeTag(&kTxTag)) {
      type_error(info.Env(), arg_name(i) + " must be a quire transaction handle");
    }
    value = v.As<Napi::External<TxHandle>>().Data()->tx.get();
  }
  quire_tx* get() const { return value; }
};

// ---- C → JS results --------------------------------------------------------------------------

Napi::Value take_string(Napi::Env env, char* text) {
  if (text == nullptr) return env.Null();
  Napi::String s = Napi::String::New(env, text);
  quire_free(text);
  return s;
}

// A context External: it frees the context unless a transaction owns it (`tx`, kept alive).
Napi::Value wrap_ctx(Napi::Env env, quire_ctx* ctx, TxRef tx = nullptr) {
  auto ext = Napi::External<CtxHandle>::New(env, new CtxHandle{ctx, std::move(tx)},
                                            [](Napi::Env, CtxHandle* h) {
                                              if (!h->tx) quire_ctx_free(h->ctx);
                                              delete h;
                                            });
  ext.TypeTag(&kCtxTag);
  return ext;
}

Napi::Value wrap_tx(Napi::Env env, quire_tx* tx) {
  auto ext = Napi::External<TxHandle>::New(env, new TxHandle{TxRef(tx, TxDeleter())},
                                           [](Napi::Env, TxHandle* h) { delete h; });
  ext.TypeTag(&kTxTag);
  return ext;
}

// What a C function's out-parameter becomes in JavaScript.
Napi::Value wrap_out(Napi::Env env, char* text) {
  return take_string(env, text);
}
Napi::Value wrap_out(Napi::Env env, quire_ctx* ctx) {
  return wrap_ctx(env, ctx);
}
Napi::Value wrap_out(Napi::Env env, quire_tx* tx) {
  return wrap_tx(env, tx);
}

// ---- The generic caller ----------------------------------------------------------------------

template <auto F, class Signature = decltype(F)>
struct Caller;

// F(&out, args...): returns what `out` is (a string, a context, a transaction).
template <auto F, class O, class... A>
struct Caller<F, quire_status (*)(O**, A...)> {
  template <size_t... I>
  static Napi::Value call(const Napi::CallbackInfo& info, std::index_sequence<I...>) {
    std::tuple<Arg<A>...> args{Arg<A>(info, I)...};
    O* out = nullptr;
    quire_status status = F(&out, std::get<I>(args).get()...);
    if (status != QUIRE_OK) throw last_error(info.Env(), status);
    return wrap_out(info.Env(), out);
  }
  static Napi::Value run(const Napi::CallbackInfo& info) {
    return call(info, std::index_sequence_for<A...>{});
  }
};

// F(args...) without an out-parameter: returns undefined.
template <auto F, class... A>
struct Caller<F, quire_status (*)(A...)> {
  template <size_t... I>
  static Napi::Value call(const Napi::CallbackInfo& info, std::index_sequence<I...>) {
    std::tuple<Arg<A>...> args{Arg<A>(info, I)...};
    quire_status status = F(std::get<I>(args).get()...);
    if (status != QUIRE_OK) throw last_error(info.Env(), status);
    return info.Env().Undefined();
  }
  static Napi::Value run(const Napi::CallbackInfo& info) {
    return call(info, std::index_sequence_for<A...>{});
  }
};

// ---- Hand-written entry points ---------------------------------------------------------------

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) type_error(info.Env(), "argument 1 must be a constructor");
  info.Env().GetInstanceData<AddonData>()->error_class =
      Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

Napi::Value LibraryVersion(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), quire_library_version());
}

Napi::Value AbiVersion(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), quire_abi_version());
}

Napi::Value StatusName(const Napi::CallbackInfo& info) {
  Arg<int32_t> status(info, 0);
  return Napi::String::New(info.Env(), quire_status_name(status.get()));
}

Napi::Value DbOpen(const Napi::CallbackInfo& info) {
  Arg<const char*> url(info, 0);
  Arg<const char*> options(info, 1);
  quire_db* db = nullptr;
  quire_status status = quire_db_open(&db, url.get(), options.get());
  if (status != QUIRE_OK) throw last_error(info.Env(), status);
  auto ext =
      Napi::External<DbHandle>::New(info.Env(), new DbHandle{db}, [](Napi::Env, DbHandle* h) {
        quire_db_free(h->db);
        delete h;
      });
  ext.TypeTag(&kDbTag);
  return ext;
}

// db_migrate(url, options): the schema version the database is at once migrated.
Napi::Value DbMigrate(const Napi::CallbackInfo& info) {
  Arg<const char*> url(info, 0);
  Arg<const char*> options(info, 1);
  int64_t version = 0;
  quire_status status = quire_db_migrate(&version, url.get(), options.get());
  if (status != QUIRE_OK) throw last_error(info.Env(), status);
  return Napi::Number::New(info.Env(), static_cast<double>(version));
}

// close(db): closes the database and releases the handle; idempotent.
Napi::Value DbClose(const Napi::CallbackInfo& info) {
  DbHandle* h = db_handle(info, 0);
  if (h->db == nullptr) return info.Env().Undefined();
  quire_status status = quire_db_close(h->db);
  if (status != QUIRE_OK) throw last_error(info.Env(), status);
  quire_db_free(h->db);
  h->db = nullptr;
  return info.Env().Undefined();
}

Napi::Value DbIsOpen(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), db_handle(info, 0)->db != nullptr);
}

// free(ctx): a transaction's context is its transaction's to free, so this does nothing to it.
Napi::Value CtxFree(const Napi::CallbackInfo& info) {
  CtxHandle* h = ctx_handle(info, 0);
  if (!h->tx) {
    quire_ctx_free(h->ctx);
    h->ctx = nullptr;
  }
  return info.Env().Undefined();
}

Napi::Value CtxIsLive(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), ctx_handle(info, 0)->ctx != nullptr);
}

// login(db, tenant, usernameOrEmail, password, requestJson) → [ctx, sessionJson]
Napi::Value DbLogin(const Napi::CallbackInfo& info) {
  Arg<quire_db*> db(info, 0);
  Arg<const char*> tenant(info, 1);
  Arg<const char*> user(info, 2);
  Arg<const char*> password(info, 3);
  Arg<const char*> request(info, 4);
  quire_ctx* ctx = nullptr;
  char* session = nullptr;
  quire_status status = quire_db_login(&ctx, &session, db.get(), tenant.get(), user.get(),
                                       password.get(), request.get());
  if (status != QUIRE_OK) throw last_error(info.Env(), status);
  Napi::Array result = Napi::Array::New(info.Env(), 2);
  result.Set(0u, wrap_ctx(info.Env(), ctx));
  result.Set(1u, take_string(info.Env(), session));
  return result;
}

// purgeBefore(ctx, cutoff) → number of entries removed
Napi::Value AuditPurgeBefore(const Napi::CallbackInfo& info) {
  Arg<quire_ctx*> ctx(info, 0);
  Arg<const char*> cutoff(info, 1);
  int64_t removed = 0;
  quire_status status = quire_audit_purge_before(&removed, ctx.get(), cutoff.get());
  if (status != QUIRE_OK) throw last_error(info.Env(), status);
  return Napi::Number::New(info.Env(), static_cast<double>(removed));
}

// Calls fn(arg) from inside a quire callback. What fn throws is kept in `thrown` for the caller
// to rethrow once quire has returned. When the environment is terminating (worker.terminate()
// while the callback runs), no JS can run any more, and node-addon-api would abort the whole
// process building an Error for it (napi_define_properties fails): then nothing is built and
// Outcome::terminating says that the callback must fail, so that quire rolls back, and that
// nothing may call into JS again.
enum class Outcome { ok, threw, terminating };

Outcome call_js(napi_env env, napi_value fn, napi_value arg, napi_value* thrown) {
  napi_value receiver = nullptr;
  napi_value result = nullptr;
  if (napi_get_undefined(env, &receiver) != napi_ok) return Outcome::terminating;
  if (napi_call_function(env, receiver, fn, 1, &arg, &result) == napi_ok) return Outcome::ok;
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending) return Outcome::terminating;
  if (napi_get_and_clear_last_exception(env, thrown) != napi_ok) return Outcome::terminating;
  // The termination itself comes as an exception that is no object. node-addon-api would wrap a
  // thrown primitive in an object, which takes JS: try that first, as it would.
  napi_valuetype type = napi_undefined;
  if (napi_typeof(env, *thrown, &type) != napi_ok) return Outcome::terminating;
  if (type == napi_object || type == napi_function) return Outcome::threw;
  napi_value probe = nullptr;
  if (napi_create_object(env, &probe) != napi_ok ||
      napi_set_named_property(env, probe, "value", *thrown) != napi_ok) {
    return Outcome::terminating;
  }
  return Outcome::threw;
}

// exportTo(ctx, format, write): streams the export to write(chunk) one piece at a time.
struct ExportState {
  Napi::Env env;
  Napi::Function write;
  bool failed = false;
  bool terminating = false;
  Napi::Error error;
};

void export_piece(const char* data, size_t size, void* user_data) {
  auto* state = static_cast<ExportState*>(user_data);
  if (state->failed || state->terminating) return;
  napi_value chunk = nullptr;
  if (napi_create_string_utf8(state->env, data, size, &chunk) != napi_ok) {
    state->terminating = true;
    return;
  }
  napi_value thrown = nullptr;
  switch (call_js(state->env, state->write, chunk, &thrown)) {
    case Outcome::ok:
      return;
    case Outcome::threw:
      state->failed = true;
      state->error = Napi::Error(state->env, thrown);
      return;
    case Outcome::terminating:
      state->terminating = true;
      return;
  }
}

Napi::Value AuditExportTo(const Napi::CallbackInfo& info) {
  Arg<quire_ctx*> ctx(info, 0);
  Arg<const char*> format(info, 1);
  if (!info[2].IsFunction()) type_error(info.Env(), "argument 3 must be a function");
  ExportState state{info.Env(), info[2].As<Napi::Function>(), false, false, Napi::Error()};
  quire_status status = quire_audit_export_to(ctx.get(), format.get(), export_piece, &state);
  if (state.terminating) return Napi::Value();  // the worker is ending: nothing runs any more
  if (state.failed) throw state.error;
  if (status != QUIRE_OK) throw last_error(info.Env(), status);
  return info.Env().Undefined();
}

// tx_context(tx) → the transaction's context, which keeps the transaction alive.
Napi::Value TxContext(const Napi::CallbackInfo& info) {
  Arg<quire_tx*> tx(info, 0);
  quire_ctx* ctx = nullptr;
  quire_status status = quire_tx_context(&ctx, tx.get());
  if (status != QUIRE_OK) throw last_error(info.Env(), status);
  return wrap_ctx(info.Env(), ctx, info[0].As<Napi::External<TxHandle>>().Data()->tx);
}

#define QUIRE_FN(js, c) exports.Set(js, Napi::Function::New<Caller<c>::run>(env, js))

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());

  exports.Set("setErrorClass", Napi::Function::New<SetErrorClass>(env, "setErrorClass"));
  exports.Set("libraryVersion", Napi::Function::New<LibraryVersion>(env, "libraryVersion"));
  exports.Set("abiVersion", Napi::Function::New<AbiVersion>(env, "abiVersion"));
  exports.Set("statusName", Napi::Function::New<StatusName>(env, "statusName"));
  exports.Set("builtAbiVersion", Napi::Number::New(env, QUIRE_ABI_VERSION));

  // Database and sign-in
  exports.Set("db_open", Napi::Function::New<DbOpen>(env, "db_open"));
  exports.Set("db_migrate", Napi::Function::New<DbMigrate>(env, "db_migrate"));
  exports.Set("db_close", Napi::Function::New<DbClose>(env, "db_close"));
  exports.Set("db_is_open", Napi::Function::New<DbIsOpen>(env, "db_is_open"));
  exports.Set("db_login", Napi::Function::New<DbLogin>(env, "db_login"));

  // Contexts
  exports.Set("ctx_free", Napi::Function::New<CtxFree>(env, "ctx_free"));
  exports.Set("ctx_is_live", Napi::Function::New<CtxIsLive>(env, "ctx_is_live"));
  exports.Set("tx_context", Napi::Function::New<TxContext>(env, "tx_context"));

  // Audit
  exports.Set("audit_export_to", Napi::Function::New<AuditExportTo>(env, "audit_export_to"));
  exports.Set("audit_purge_before",
              Napi::Function::New<AuditPurgeBefore>(env, "audit_purge_before"));

  // Every other C function, registered with Caller<F> (generated from capi/quire.abi.json).
#include "abi_functions.inc"

  return exports;
}

}  // namespace

NODE_API_MODULE(quire, Init)
