// The database handle: open, close, free, and the contexts made from it.

#include <memory>

#include "capi_internal.hpp"

namespace quire::capi {

bool is_live(const quire_db* db) noexcept {
  return db != nullptr && reinterpret_cast<std::uintptr_t>(db) % alignof(quire_db) == 0 &&
         db->magic == db_magic;
}

quire_db& db_of(quire_db* db, const char* name) {
  if (db == nullptr) throw_invalid(std::string(name) + " must not be NULL");
  if (!is_live(db)) {
    throw_invalid(std::string(name) + " is not a live quire_db (freed, or not a database handle)");
  }
  return *db;
}

const Database& open_db_of(quire_db* db) {
  const auto& database = db_of(db).db;
  if (!database.is_open()) throw_invalid("db is closed");
  return database;
}

quire_ctx* new_context(const Database& db, Context context) {
  return std::make_unique<quire_ctx>(db, std::move(context)).release();
}

}  // namespace quire::capi

using namespace quire::capi;

extern "C" {

QUIRE_EXPORT quire_status quire_db_open(quire_db** out, const char* url, const char* options_json) {
  return guard([&] {
    auto& db = out_param(out, "out");
    const auto where = string_arg(url, "url");
    auto options = decode_options(options_json);
    auto database = unwrap(quire::Database::open(where, std::move(options)));
    db = std::make_unique<quire_db>(std::move(database)).release();
  });
}

QUIRE_EXPORT quire_status quire_db_migrate(int64_t* out_version, const char* url,
                                           const char* options_json) {
  return guard([&] {
    if (out_version == nullptr) throw_invalid("out_version must not be NULL");
    *out_version = 0;
    const auto where = string_arg(url, "url");
    auto options = decode_options(options_json);
    *out_version = unwrap(quire::Database::migrate(where, std::move(options)));
  });
}

QUIRE_EXPORT quire_status quire_db_close(quire_db* db) {
  return guard([&] { unwrap(db_of(db).db.close()); });
}

QUIRE_EXPORT void quire_db_free(quire_db* db) {
  if (!is_live(db)) return;
  delete db;  // NOLINT(cppcoreguidelines-owning-memory): the C caller owns it
}

QUIRE_EXPORT quire_status quire_db_system(quire_ctx** out, quire_db* db, const char* tenant) {
  return guard([&] {
    auto& context = out_param(out, "out");
    const auto& database = open_db_of(db);
    if (tenant == nullptr) {
      context = new_context(database, database.system());
    } else {
      context = new_context(database, unwrap(database.system(tenant_ref(tenant))));
    }
  });
}

QUIRE_EXPORT quire_status quire_db_context(quire_ctx** out, quire_db* db,
                                           const char* context_json) {
  return guard([&] {
    auto& context = out_param(out, "out");
    const auto& database = open_db_of(db);
    auto request = decode_context(context_json);
    context = new_context(database, unwrap(database.context(request.tenant, request.user,
                                                            std::move(request.request))));
  });
}

QUIRE_EXPORT quire_status quire_db_user_context(quire_ctx** out, quire_db* db, int64_t user_id,
                                                const char* request_json) {
  return guard([&] {
    auto& context = out_param(out, "out");
    const auto& database = open_db_of(db);
    context = new_context(
        database, unwrap(database.user_context(user_id, request_json == nullptr
                                                            ? quire::RequestInfo{}
                                                            : decode_request(request_json))));
  });
}

}  // extern "C"
