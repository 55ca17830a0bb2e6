#include <fmt/format.h>

#include "storage/rows/audit_row.hpp"
#include "storage/sqlite/sqlite_rows.hpp"
#include "storage/sqlite/sqlite_stores.hpp"

namespace quire::storage::sqlite {

namespace {

#define AUDIT_COLUMNS QUIRE_AUDIT_COLUMNS

const auto read_entry = reading(rows::read_entry);

}  // namespace

Result<std::optional<AuditHead>> SqliteAuditStore::head(TenantId chain) noexcept {
  return find_one(db_,
                  "SELECT seq, hash FROM audit_log WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1",
                  reading(rows::read_head), static_cast<std::int64_t>(chain));
}

Result<void> SqliteAuditStore::append(const AuditEntry& entry) noexcept {
  return guarded([&]() -> Result<void> {
    auto query = db_.query("INSERT INTO audit_log (" AUDIT_COLUMNS
                           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    const auto values = rows::audit_values(entry);
    bind_values(*query, values);
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
