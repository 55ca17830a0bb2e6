#include <fmt/format.h>

#include "storage/postgres/pg_rows.hpp"
#include "storage/postgres/pg_stores.hpp"
#include "storage/rows/audit_row.hpp"

namespace quire::storage::postgres {

namespace {

// audit_log is tenant-owned: every statement runs with its chain as quire.tenant_id (0, the system
// chain, included), so row-level security confines it to that chain.

#define AUDIT_COLUMNS QUIRE_AUDIT_COLUMNS

const auto read_entry = reading(rows::read_entry);

}  // namespace

Result<std::optional<AuditHead>> PgAuditStore::head(TenantId chain) noexcept {
  return guarded([&]() -> Result<std::optional<AuditHead>> {
    const auto read = reading(rows::read_head);
    if (db_.access() == Access::write) {
      // A write is about to append: it claims the chain's head row (schema 6), inserting an
      // empty one (seq 0) for a new chain. The upsert reads through no predicate lock, so it
      // conflicts with no other chain's append; it locks the row, so a second writer of this
      // chain waits here, and fails to serialize as soon as the first commits, before it has
      // written anything (a retry then reads the new head). Setting seq to itself changes
      // nothing but locks the row and returns it.
      QUIRE_TRY(auto result,
                db_.write_in(chain,
                             "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, '')"
                             " ON CONFLICT (tenant_id) DO UPDATE SET seq = audit_heads.seq"
                             " RETURNING seq, hash",
                             Params(chain)));
      if (result.empty() || result.int64(0, 0) == 0) return std::nullopt;
      return read(result, 0);
    }
    QUIRE_TRY(auto result, db_.read_in(chain,
                                       "SELECT seq, hash FROM audit_log WHERE tenant_id = $1"
                                       " ORDER BY seq DESC LIMIT 1",
                                       Params(chain)));
    return first_row(result, read);
  });
}

Result<void> PgAuditStore::append(const AuditEntry& entry) noexcept {
  return guarded([&]() -> Result<void> {
    const auto params = to_params(rows::audit_values(entry));
    // The entry and the chain's head in one statement; the head only ever moves forward.
    QUIRE_TRY(db_.write_in(entry.tenant_id,
                           "WITH entry AS (INSERT INTO audit_log (" AUDIT_COLUMNS
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
                           " $14, $15, $16) RETURNING tenant_id, seq, hash)"
                           " INSERT INTO audit_heads (tenant_id, seq, hash)"
                           " SELECT tenant_id, seq, hash FROM entry"
                           " ON CONFLICT (tenant_id) DO UPDATE SET seq = excluded.seq,"
                           " hash = excluded.hash WHERE audit_heads.seq < excluded.seq",
                           params));
    return success();
  });
}

Result<std::vector<AuditEntry>> PgAuditStore::query(TenantId chain,
                                                    const AuditFilter& filter) noexcept {
  return guarded([&]() -> Result<std::vector<AuditEntry>> {
    // Only the conditions that are set go into the SQL, so the planner can pick the index that
    // serves them (one prepared statement per combination).
    Params params(chain);
    std::string sql = "SELECT " AUDIT_COLUMNS " FROM audit_log WHERE tenant_id = $1";
    const auto where = [&](std::string_view condition, const auto& value) {
      params.add(value);
      sql += fmt::format(" AND {} ${}", condition, params.size());
    };
    if (filter.before_seq > 0) where("seq <", filter.before_seq);
    if (filter.actor_type) where("actor_type =", actor_type_name(*filter.actor_type));
    if (filter.actor_id) where("actor_id =", *filter.actor_id);
    if (!filter.action.empty()) where("action =", filter.action);
    if (!filter.resource_type.empty()) where("resource_type =", filter.resource_type);
    if (!filter.resource_id.empty()) where("resource_id =", filter.resource_id);
    // A denial as a literal: the partial index audit_denied (WHERE outcome = 'denied') serves
    // only a statement that itself says so, and a prepared statement's generic plan cannot
    // know a bound value.
    if (filter.outcome == "denied") {
      sql += " AND outcome = 'denied'";
    } else if (!filter.outcome.empty()) {
      where("outcome =", filter.outcome);
    }
    if (filter.since) where("at >=", *filter.since);
    if (filter.until) where("at <", *filter.until);
    params.add(filter.limit);
    sql += fmt::format(" ORDER BY seq DESC LIMIT ${}", params.size());
    QUIRE_TRY(auto result, db_.read_in(chain, sql, params));
    return collect(result, read_entry);
  });
}

Result<std::vector<AuditEntry>> PgAuditStore::scan(TenantId chain, std::int64_t after_seq,
                                                   unsigned limit) noexcept {
  return guarded([&]() -> Result<std::vector<AuditEntry>> {
    QUIRE_TRY(auto result, db_.read_in(chain,
                                       "SELECT " AUDIT_COLUMNS
                                       " FROM audit_log WHERE tenant_id = $1 AND seq > $2"
                                       " ORDER BY seq LIMIT $3",
                                       Params(chain, after_seq, limit)));
    return collect(result, read_entry);
  });
}

Result<std::int64_t> PgAuditStore::last_seq_before(TenantId chain, Timestamp cutoff) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    // Times may step back with the clock, so the cut is the last entry of the run of old ones.
    QUIRE_TRY(auto result, db_.read_in(chain,
                                       "SELECT coalesce(min(seq), (SELECT coalesce(max(seq), 0) + 1"
                                       " FROM audit_log WHERE tenant_id = $1)) - 1"
                                       " FROM audit_log WHERE tenant_id = $1 AND at >= $2",
                                       Params(chain, cutoff)));
    return result.int64(0, 0);
  });
}

Result<std::int64_t> PgAuditStore::purge_through(TenantId chain,
                                                 std::int64_t through_seq) noexcept {
  return guarded([&]() -> Result<std::int64_t> {
    // The role quire runs as may not delete audit entries: the owner's audit_purge_through does,
    // after checking that the chain's newest entry is the checkpoint of this very cut (schema 9).
    QUIRE_TRY(auto removed, db_.write_in(chain, "SELECT audit_purge_through($1, $2)",
                                         Params(chain, through_seq)));
    return removed.int64(0, 0);
  });
}

}  // namespace quire::storage::postgres
