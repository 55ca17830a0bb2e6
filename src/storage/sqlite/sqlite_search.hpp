#pragma once
// Tenant-first full-text search on SQLite: an FTS5 tokenizer that files every term under its
// tenant, and a bm25 rank function that only counts that tenant's documents.
//
// Why. posts_fts is one FTS5 index for every tenant. Indexed as plain words, "budget" would have
// one doclist holding the posts of all tenants, and a search in one tenant would walk (and join,
// and filter out) every other tenant's hits: with 20 tenants, about 20 times the work. So the
// tokenizer "quire_tenant" wraps a built-in tokenizer (by default `unicode61 remove_diacritics
// 2`) and prefixes each token it emits with the tenant id and a colon: "budget" in tenant 12 is
// indexed as the term "12:budget". Each tenant's terms have doclists of their own, and a search
// reads only those.
//
// Queries go through the same tokenizer (FTS5 tokenizes every query term with it, with
// FTS5_TOKENIZE_QUERY, and FTS5_TOKENIZE_PREFIX for `word*`), so "budget" becomes "12:budget",
// "bud"* scans the terms that begin with "12:bud", and phrases, NEAR, bm25, snippet() and
// highlight() all keep working. No query can reach another tenant's terms: every token a query
// produces carries the searching tenant's prefix, and the wrapped tokenizer splits on ':' (a
// user typing "2:secret" searches for the phrase "12:2" "12:secret"). Ids are decimal and end at
// the colon, so the prefix of tenant 1 ("1:") is not a prefix of tenant 12's ("12:").
//
// Which tenant. A tokenizer only sees text, so the tenant of the row being indexed, or of the
// search, comes from the thread: SearchTenantScope sets this thread's current search tenant for
// its lifetime. This is sound because SQLite calls a tokenizer synchronously, on the thread that
// is stepping the statement (xUpdate for INSERT and 'delete', xFilter for MATCH, the auxiliary
// functions for snippet/highlight/quire_bm25), and a quire connection is used by one thread at a
// time. The store opens a scope around every statement that touches posts_fts, and nothing else
// does: the tokenizer refuses to run without one (SQLITE_ERROR), so a forgotten scope fails
// loudly instead of indexing or searching under the wrong tenant. Scopes nest (the innermost
// wins and the outer one comes back when it ends) and must be local variables, ended on the
// thread that began them.
//
// Consequences. The posts_fts commands that re-read the content table on their own, 'rebuild'
// and 'integrity-check', would tokenize every tenant's rows under the one current tenant: quire
// never runs them, and neither may a host. A tool without quire's tokenizer (the sqlite3 shell)
// can read and write every table but posts_fts. And bm25 needs the tenant's own statistics too:
// FTS5's built-in bm25() takes the row count and average document length of the whole table, so
// quire_bm25() takes them as arguments, from post_search_stats, which the store keeps per tenant
// from the tokens the tokenizer counted (SearchTenantScope::document_tokens). A tenant's scores
// then do not move when another tenant writes.

#include <cstddef>
#include <cstdint>
#include <string_view>

struct sqlite3;

namespace quire::storage::sqlite {

// The names the schema uses: `tokenize = 'quire_tenant unicode61 remove_diacritics 2'` (with no
// arguments, the same unicode61 set-up), and quire_bm25(posts_fts, documents, tokens, weights…).
inline constexpr const char* tenant_tokenizer_name = "quire_tenant";
inline constexpr const char* tenant_rank_function_name = "quire_bm25";

// Registers the tokenizer and the rank function on a connection (through the fts5_api pointer of
// `SELECT fts5(?1)`). Every connection that may touch posts_fts needs them, readers too, before it
// opens the table. Returns an SQLite result code.
int register_search(sqlite3* db) noexcept;

// Sets this thread's current search tenant until the scope ends.
class SearchTenantScope {
 public:
  explicit SearchTenantScope(std::int64_t tenant) noexcept;
  ~SearchTenantScope();
  SearchTenantScope(const SearchTenantScope&) = delete;
  SearchTenantScope& operator=(const SearchTenantScope&) = delete;

  [[nodiscard]] std::int64_t tenant() const noexcept { return tenant_; }
  // "12:", what every token of the tenant starts with.
  [[nodiscard]] std::string_view prefix() const noexcept { return {prefix_, prefix_size_}; }
  // The tokens FTS5 has indexed or removed (FTS5_TOKENIZE_DOCUMENT) under this scope: what it
  // records as the documents' sizes, so what bm25 counts as their lengths.
  [[nodiscard]] std::int64_t document_tokens() const noexcept { return document_tokens_; }
  void add_document_tokens(std::int64_t count) noexcept { document_tokens_ += count; }

  // The innermost scope of this thread, or nullptr.
  [[nodiscard]] static SearchTenantScope* current() noexcept;

 private:
  SearchTenantScope* previous_;
  std::int64_t tenant_;
  std::int64_t document_tokens_ = 0;
  char prefix_[24] = {};  // an int64 in decimal and ':' take at most 21
  std::size_t prefix_size_ = 0;
};

}  // namespace quire::storage::sqlite
