// The context handle, and explicit transactions through a callback: quire_ctx_transaction runs a
// body inside quire::Database::transaction, for hosts that like a scoped shape (the handle form,
// quire_tx_begin and its kin, is in transaction-c.cpp).

#include <memory>

#include "json.hpp"

namespace quire::capi {

bool is_live(const quire_ctx* ctx) noexcept {
  return ctx != nullptr && reinterpret_cast<std::uintptr_t>(ctx) % alignof(quire_ctx) == 0 &&
         ctx->magic == ctx_magic;
}

quire_ctx& ctx_of(quire_ctx* ctx, const char* name) {
  if (ctx == nullptr) throw_invalid(std::string(name) + " must not be NULL");
  if (!is_live(ctx)) {
    throw_invalid(std::string(name) +
                  " is not a live quire_ctx (freed, a finished transaction's, or not a context)");
  }
  return *ctx;
}

namespace {

// A context whose database is open: the calls that do not reach an engine (whose units refuse a
// closed database themselves) check it here, so that no call on a closed database succeeds.
quire_ctx& open_ctx_of(quire_ctx* ctx) {
  auto& live = ctx_of(ctx);
  if (!live.db.is_open()) throw_invalid("the database is closed");
  return live;
}

// What the body returned, kept apart from the Result that Database::transaction hands back, so
// the body's own status and message reach the caller unchanged.
quire_status run_body(quire_ctx& tx, quire_transaction_fn body, void* user_data) noexcept {
  const auto failures_before = last_error_generation();
  quire_status status = QUIRE_OK;
  try {
    status = body(&tx, user_data);
  } catch (...) {  // a C++ host's body: nothing may unwind through Database::transaction
    set_last_error(QUIRE_EINTERNAL, "the transaction body threw an exception");
    return QUIRE_EINTERNAL;
  }
  if (status != QUIRE_OK &&
      (last_error_generation() == failures_before || last_error_code() != status)) {
    // The body failed on its own account: say so rather than leave an older, unrelated message.
    set_last_error(status, std::string("transaction body returned ") + quire_status_name(status));
  }
  return status;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT void quire_ctx_free(quire_ctx* ctx) {
  if (!is_live(ctx) || ctx->borrowed) return;
  delete ctx;  // NOLINT(cppcoreguidelines-owning-memory): the C caller owns it
}

QUIRE_EXPORT quire_status quire_ctx_with_request(quire_ctx** out, quire_ctx* ctx,
                                                 const char* request_json) {
  return guard([&] {
    auto& derived = out_param(out, "out");
    auto& parent = open_ctx_of(ctx);
    auto request = decode_request(request_json);
    derived = std::make_unique<quire_ctx>(parent.db, parent.ctx.with_request(std::move(request)))
                  .release();
  });
}

QUIRE_EXPORT quire_status quire_ctx_info(char** out_json, quire_ctx* ctx) {
  return give_out(out_json, "out_json", [&] {
    const auto& context = open_ctx_of(ctx).ctx;
    const auto& request = context.request();
    std::string out;
    append_key(out.append("{"), "tenant_id", true);
    append_nullable_int(out, context.tenant_id());
    append_key(out, "actor_type");
    append_string(out, quire::actor_type_name(context.actor().type));
    append_key(out, "actor_id");
    append_int(out, context.actor().id);
    append_key(out, "ip");
    append_string(out, request.ip);
    append_key(out, "user_agent");
    append_string(out, request.user_agent);
    append_key(out, "request_id");
    append_string(out, request.request_id);
    out.push_back('}');
    return out;
  });
}

QUIRE_EXPORT quire_status quire_ctx_transaction(quire_ctx* ctx, quire_transaction_fn body,
                                                void* user_data) {
  return guard([&]() -> quire_status {
    auto& outer = ctx_of(ctx);
    if (body == nullptr) throw_invalid("body must not be NULL");
    quire_status body_status = QUIRE_OK;
    auto result =
        outer.db.transaction(outer.ctx, [&](quire::Context& inner) -> quire::Result<void> {
          // On the heap, so that a host which keeps `tx` past the body trips a sanitizer.
          auto tx = std::make_unique<quire_ctx>(outer.db, inner, /*owned_by_library=*/true);
          body_status = run_body(*tx, body, user_data);
          if (body_status == QUIRE_OK) return quire::success();
          return quire::fail(errc_of(body_status), last_error_message());
        });
    if (body_status != QUIRE_OK) return body_status;  // rolled back; the body's error stands
    unwrap(std::move(result));                        // the commit's failure, if any
    return QUIRE_OK;
  });
}

}  // extern "C"
