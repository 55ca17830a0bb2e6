#include <fmt/format.h>

#include "core/crypto.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

#define AUDIT_COLUMNS                                                                          \
  "tenant_id, seq, at, actor_type, actor_id, action, resource_type, resource_id, outcome, ip," \
  " user_agent, request_id, prev_hash, hash, old_values, new_values"

ActorType actor_type_from(std::string_view name) {
  if (name == "user") return ActorType::user;
  if (name == "api_key") return ActorType::api_key;
  return ActorType::system;
}

std::string blob_hex(SQLite::Statement& row, int index) {
  const auto column = row.getColumn(index);
  return detail::to_hex_public(
      std::string_view(static_cast<const char*>(column.getBlob()), column.getBytes()));
}

AuditEntry read_entry(SQLite::Statement& row) {
  AuditEntry entry;
  entry.tenant_id = row.getColumn(0).getInt64();
  entry.seq = row.getColumn(1).getInt64();
  entry.at = row.getColumn(2).getInt64();
  entry.actor_type = actor_type_from(row.getColumn(3).getString());
  entry.actor_id = row.getColumn(4).getInt64();
  entry.action = row.getColumn(5).getString();
  entry.resource_type = row.getColumn(6).getString();
  entry.resource_id = row.getColumn(7).getString();
  entry.outcome = row.getColumn(8).getString();
  entry.ip = row.getColumn(9).getString();
  entry.user_agent = row.getColumn(10).getString();
  entry.request_id = row.getColumn(11).getString();
  entry.prev_hash = blob_hex(row, 12);
  entry.hash = blob_hex(row, 13);
  entry.old_values = optional_column<std::string>(row, 14);
  entry.new_values = optional_column<std::string>(row, 15);
  return entry;
}

// Hashes travel as hex and are stored as 32-byte blobs.
void bind_hash(SQLite::Statement& statement, int index, std::string_view hex) {
  const auto bytes = detail::from_hex(hex);
  if (!bytes) throw std::invalid_argument("an audit hash must be hex");
  statement.bind(index, bytes->data(), static_cast<int>(bytes->size()));
}

}  // namespace

Result<std::optional<AuditHead>> SqliteAuditStore::head(TenantId chain) noexcept {
  return find_one(
      db_, "SELECT seq, hash FROM audit_log WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1",
      [](SQLite::Statement& row) {
        return AuditHead{row.getColumn(0).getInt64(), blob_hex(row, 1)};
      },
      static_cast<std::int64_t>(chain));
}

Result<void> SqliteAuditStore::append(const AuditEntry& entry) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query("INSERT INTO audit_log (" AUDIT_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    bind_all(*query, static_cast<std::int64_t>(entry.tenant_id), entry.seq,
             static_cast<std::int64_t>(entry.at), std::string(actor_type_name(entry.actor_type)),
             entry.actor_id, entry.action, entry.resource_type, entry.resource_id, entry.outcome,
             entry.ip, entry.user_agent, entry.request_id);
    bind_hash(*query, 13, entry.prev_hash);
    bind_hash(*query, 14, entry.hash);
    bind_optional(*query, 15, entry.old_values);
    bind_optional(*query, 16, entry.new_values);
    query->exec();
    return success();
  });
}

Result<std::vector<AuditEntry>> SqliteAuditStore::query(TenantId chain,
                                                        const AuditFilter& filter) noexcept {
  return guarded([&]() -> Result<std::vector<AuditEntry>> {
    // Only the conditions that are set go into the SQL (one cached statement per combination).
    // audit_log is its own (tenant_id, seq) key, WITHOUT ROWID: without statistics the planner
    // would walk the whole chain through that key and filter, so a filter names its index, the
    // most selective first. Denials are few, so their partial index comes before the one on
    // resource_type, which has only a handful of values.
    const bool denied = filter.outcome == "denied";
    std::string sql = "SELECT " AUDIT_COLUMNS " FROM audit_log";
    if (!filter.resource_id.empty()) {
      sql += " INDEXED BY audit_by_resource";
    } else if (filter.actor_id) {
      sql += " INDEXED BY audit_by_actor";
    } else if (!filter.action.empty()) {
      sql += " INDEXED BY audit_by_action";
    } else if (denied) {
      sql += " INDEXED BY audit_denied";
    } else if (!filter.resource_type.empty()) {
      sql += " INDEXED BY audit_by_type";
    }
    sql += " WHERE tenant_id = ?";
    if (filter.before_seq > 0) sql += " AND seq < ?";
    if (filter.actor_type) sql += " AND actor_type = ?";
    if (filter.actor_id) sql += " AND actor_id = ?";
    if (!filter.action.empty()) sql += " AND action = ?";
    if (!filter.resource_type.empty()) sql += " AND resource_type = ?";
    if (!filter.resource_id.empty()) sql += " AND resource_id = ?";
    // A denial as a literal: audit_denied (WHERE outcome = 'denied') is usable only when the
    // statement itself says so, which a bound value would not.
    if (denied) {
      sql += " AND outcome = 'denied'";
    } else if (!filter.outcome.empty()) {
      sql += " AND outcome = ?";
    }
    if (filter.since) sql += " AND at >= ?";
    if (filter.until) sql += " AND at < ?";
    sql += " ORDER BY seq DESC LIMIT ?";
    auto query = db_.query(sql);
    int index = 0;
    query->bind(++index, static_cast<std::int64_t>(chain));
    if (filter.before_seq > 0) query->bind(++index, filter.before_seq);
    if (filter.actor_type) query->bind(++index, std::string(actor_type_name(*filter.actor_type)));
    if (filter.actor_id) query->bind(++index, *filter.actor_id);
    if (!filter.action.empty()) query->bind(++index, filter.action);
    if (!filter.resource_type.empty()) query->bind(++index, filter.resource_type);
    if (!filter.resource_id.empty()) query->bind(++index, filter.resource_id);
    if (!denied && !filter.outcome.empty()) query->bind(++index, filter.outcome);
    if (filter.since) query->bind(++index, static_cast<std::int64_t>(*filter.since));
    if (filter.until) query->bind(++index, static_cast<std::int64_t>(*filter.until));
    query->bind(++index, static_cast<std::int64_t>(filter.limit));
    return collect(query, read_entry);
  });
}

Result<std::vector<AuditEntry>> SqliteAuditStore::scan(TenantId chain, std::int64_t after_seq,
                                                       unsigned limit) noexcept {
  return guarded([&]() -> Result<std::vector<AuditEntry>> {
    auto query = db_.query("SELECT " AUDIT_COLUMNS
                           " FROM audit_log WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?");
    bind_all(*query, static_cast<std::int64_t>(chain), after_seq, static_cast<std::int64_t>(limit));
    return collect(query, read_entry);
  });
}

Result<std::int64_t> SqliteAuditStore::last_seq_before(TenantId chain, Timestamp cutoff) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    // Times may step back with the clock, so the cut is the last entry of the run of old ones.
    auto query = db_.query(
        "SELECT coalesce(min(seq), (SELECT coalesce(max(seq), 0) + 1 FROM audit_log"
        " WHERE tenant_id = ?1)) - 1 FROM audit_log WHERE tenant_id = ?1 AND at >= ?2");
    bind_all(*query, static_cast<std::int64_t>(chain), static_cast<std::int64_t>(cutoff));
    query->executeStep();
    return query->getColumn(0).getInt64();
  });
}

Result<std::int64_t> SqliteAuditStore::purge_through(TenantId chain,
                                                     std::int64_t through_seq) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    db_.exec("INSERT INTO audit_purge (active) VALUES (1)");
    auto remove = db_.query("DELETE FROM audit_log WHERE tenant_id = ? AND seq <= ?");
    bind_all(*remove, static_cast<std::int64_t>(chain), through_seq);
    const auto removed = remove->exec();
    db_.exec("DELETE FROM audit_purge");
    return static_cast<std::int64_t>(removed);
  });
}

}  // namespace quire::storage::sqlite
