// Explicit transactions as handles: quire_tx_begin, quire_tx_context, quire_tx_commit,
// quire_tx_rollback and quire_tx_free, over quire::Transaction (the callback form,
// quire_ctx_transaction, is in context-c.cpp).
//
// A quire_tx owns its quire::Transaction and the context handle quire_tx_context lends: that
// handle is marked borrowed, so quire_ctx_free ignores it, and it dies with the quire_tx. After
// commit or rollback the handle stays live but quire::Transaction refuses its every call
// ("the transaction has ended"), so a host that keeps it gets QUIRE_EINVAL, not a dangling pointer.

#include <memory>

#include "capi_internal.hpp"

namespace quire::capi {

constexpr std::uint64_t tx_magic = 0x71756972'65747830;  // "quiretx0"

}  // namespace quire::capi

struct quire_tx {
  quire_tx(const quire::Database& database, quire::Transaction transaction)
      : tx(std::move(transaction)), context(database, tx.context(), /*owned_by_library=*/true) {}
  quire_tx(const quire_tx&) = delete;
  quire_tx& operator=(const quire_tx&) = delete;
  // Members go in reverse: the context handle first, then the transaction (rolled back if open).
  ~quire_tx() { quire::capi::clear_magic(magic); }

  std::uint64_t magic = quire::capi::tx_magic;
  quire::Transaction tx;
  quire_ctx context;
};

namespace quire::capi {

namespace {

bool is_live(const quire_tx* tx) noexcept {
  return tx != nullptr && reinterpret_cast<std::uintptr_t>(tx) % alignof(quire_tx) == 0 &&
         tx->magic == tx_magic;
}

quire_tx& tx_of(quire_tx* tx) {
  if (tx == nullptr) throw_invalid("tx must not be NULL");
  if (!is_live(tx)) throw_invalid("tx is not a live quire_tx (freed, or not a transaction)");
  return *tx;
}

}  // namespace

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_tx_begin(quire_tx** out_tx, quire_ctx* ctx) {
  return guard([&] {
    auto& out = out_param(out_tx, "out_tx");
    auto& context = ctx_of(ctx);
    auto transaction = unwrap(context.db.begin(context.ctx));
    out = std::make_unique<quire_tx>(context.db, std::move(transaction)).release();
  });
}

QUIRE_EXPORT quire_status quire_tx_context(quire_ctx** out_ctx, quire_tx* tx) {
  return guard([&] {
    auto& out = out_param(out_ctx, "out_ctx");
    out = &tx_of(tx).context;
  });
}

QUIRE_EXPORT quire_status quire_tx_commit(quire_tx* tx) {
  return guard([&] { unwrap(tx_of(tx).tx.commit()); });
}

QUIRE_EXPORT quire_status quire_tx_rollback(quire_tx* tx) {
  return guard([&] { unwrap(tx_of(tx).tx.rollback()); });
}

QUIRE_EXPORT void quire_tx_free(quire_tx* tx) {
  if (!is_live(tx)) return;
  delete tx;  // NOLINT(cppcoreguidelines-owning-memory): the C caller owns it
}

}  // extern "C"
