// The tenant-first FTS5 tokenizer and its bm25: see sqlite_search.hpp for the design.

#include "storage/sqlite/sqlite_search.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace quire::storage::sqlite {

namespace {

thread_local SearchTenantScope* current_scope = nullptr;

// ---- the tokenizer ------------------------------------------------------------------------------

// One tokenizer instance per FTS5 table that names it: the wrapped tokenizer, created with the
// arguments that follow our name.
struct TenantTokenizer {
  fts5_tokenizer inner{};
  Fts5Tokenizer* instance = nullptr;
};

// What a call to xTokenize hands the wrapped tokenizer: where the prefixed tokens go.
struct TokenSink {
  void* context;
  int (*emit)(void*, int, const char*, int, int, int);
  std::string_view prefix;
  bool counting;  // FTS5_TOKENIZE_DOCUMENT: the document's size in tokens
  std::int64_t tokens = 0;
  char small[256];
  std::string large;  // for tokens that do not fit in `small`
};

int forward_token(void* sink_pointer, int flags, const char* token, int size, int start,
                  int end) noexcept {
  auto& sink = *static_cast<TokenSink*>(sink_pointer);
  if (size < 0 || size > INT_MAX - static_cast<int>(sizeof sink.small)) return SQLITE_TOOBIG;
  const std::size_t total = sink.prefix.size() + static_cast<std::size_t>(size);
  const char* text = sink.small;
  if (total <= sizeof sink.small) {
    std::memcpy(sink.small, sink.prefix.data(), sink.prefix.size());
    if (size > 0)
      std::memcpy(sink.small + sink.prefix.size(), token, static_cast<std::size_t>(size));
  } else {
    try {
      sink.large.assign(sink.prefix);
      sink.large.append(token, static_cast<std::size_t>(size));
    } catch (const std::bad_alloc&) {
      return SQLITE_NOMEM;
    }
    text = sink.large.data();
  }
  // FTS5 counts a column's size the same way: every token but the colocated ones.
  if (sink.counting && (flags & FTS5_TOKEN_COLOCATED) == 0) ++sink.tokens;
  return sink.emit(sink.context, flags, text, static_cast<int>(total), start, end);
}

constexpr const char* default_inner[] = {"unicode61", "remove_diacritics", "2"};

int create_tokenizer(void* api_pointer, const char** args, int count,
                     Fts5Tokenizer** out) noexcept {
  auto* api = static_cast<fts5_api*>(api_pointer);
  if (count == 0) {
    args = const_cast<const char**>(default_inner);  // FTS5 only reads them
    count = 3;
  }
  if (std::strcmp(args[0], tenant_tokenizer_name) == 0) return SQLITE_ERROR;  // no recursion
  void* inner_context = nullptr;
  fts5_tokenizer inner{};
  int rc = api->xFindTokenizer(api, args[0], &inner_context, &inner);
  if (rc != SQLITE_OK) return rc;
  auto* tokenizer = new (std::nothrow) TenantTokenizer;
  if (tokenizer == nullptr) return SQLITE_NOMEM;
  tokenizer->inner = inner;
  rc = inner.xCreate(inner_context, args + 1, count - 1, &tokenizer->instance);
  if (rc != SQLITE_OK) {
    delete tokenizer;
    return rc;
  }
  *out = reinterpret_cast<Fts5Tokenizer*>(tokenizer);
  return SQLITE_OK;
}

void delete_tokenizer(Fts5Tokenizer* pointer) noexcept {
  auto* tokenizer = reinterpret_cast<TenantTokenizer*>(pointer);
  if (tokenizer == nullptr) return;
  if (tokenizer->instance != nullptr) tokenizer->inner.xDelete(tokenizer->instance);
  delete tokenizer;
}

int tokenize(Fts5Tokenizer* pointer, void* context, int flags, const char* text, int size,
             int (*emit)(void*, int, const char*, int, int, int)) noexcept {
  auto* scope = current_scope;
  // No tenant, no tokens: indexing or searching outside a SearchTenantScope is a bug, and doing
  // it under no tenant (or a stale one) would mix tenants' terms.
  if (scope == nullptr) return SQLITE_ERROR;
  auto* tokenizer = reinterpret_cast<TenantTokenizer*>(pointer);
  TokenSink sink{context, emit, scope->prefix(), (flags & FTS5_TOKENIZE_DOCUMENT) != 0, 0, {}, {}};
  const int rc =
      tokenizer->inner.xTokenize(tokenizer->instance, &sink, flags, text, size, forward_token);
  if (rc == SQLITE_OK) scope->add_document_tokens(sink.tokens);
  return rc;
}

fts5_tokenizer tenant_tokenizer{create_tokenizer, delete_tokenizer, tokenize};

// ---- quire_bm25 ---------------------------------------------------------------------------------
//
// FTS5's bm25() (fts5_aux.c), with the collection statistics of one tenant: N, the number of
// documents, and avgdl, their average length in tokens, come in as arguments rather than from
// the whole table. The document frequency of each phrase already is the tenant's own, since its
// terms carry the tenant's prefix. Same constants (k1 = 1.2, b = 0.75), same sign (lower is
// better), same weights per column:
//   quire_bm25(posts_fts, documents, tokens, weight of column 0, weight of column 1, …)

struct RankData {
  double average_length = 1;
  std::vector<double> idf;   // per phrase
  std::vector<double> freq;  // per phrase, for the current row
};

int count_row(const Fts5ExtensionApi*, Fts5Context*, void* count) noexcept {
  ++*static_cast<std::int64_t*>(count);
  return SQLITE_OK;
}

void delete_rank_data(void* data) noexcept {
  delete static_cast<RankData*>(data);
}

// The per-query part, computed at the first row and kept as the query's auxiliary data.
int rank_data(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_value** args,
              RankData** out) noexcept {
  if (auto* found = static_cast<RankData*>(api->xGetAuxdata(fts, 0))) {
    *out = found;
    return SQLITE_OK;
  }
  auto* data = new (std::nothrow) RankData;
  if (data == nullptr) return SQLITE_NOMEM;
  int rc = SQLITE_OK;
  try {
    const auto documents = std::max<std::int64_t>(1, sqlite3_value_int64(args[0]));
    const auto tokens = sqlite3_value_int64(args[1]);
    data->average_length =
        tokens > 0 ? static_cast<double>(tokens) / static_cast<double>(documents) : 1.0;
    const int phrases = api->xPhraseCount(fts);
    data->idf.resize(static_cast<std::size_t>(phrases));
    data->freq.resize(static_cast<std::size_t>(phrases));
    for (int i = 0; rc == SQLITE_OK && i < phrases; ++i) {
      std::int64_t hits = 0;
      rc = api->xQueryPhrase(fts, i, &hits, count_row);
      // IDF = log((N - n + 0.5) / (n + 0.5)), kept positive as FTS5 does.
      const double idf = std::log((static_cast<double>(documents - hits) + 0.5) /
                                  (static_cast<double>(hits) + 0.5));
      data->idf[static_cast<std::size_t>(i)] = idf > 0 ? idf : 1e-6;
    }
  } catch (const std::bad_alloc&) {
    rc = SQLITE_NOMEM;
  }
  if (rc == SQLITE_OK)
    rc = api->xSetAuxdata(fts, data, delete_rank_data);  // frees it on failure
  else
    delete data;
  if (rc == SQLITE_OK) *out = data;
  return rc;
}

void rank(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* result, int count,
          sqlite3_value** args) noexcept {
  if (count < 2) {
    sqlite3_result_error(result,
                         "quire_bm25: expects (table, documents, tokens, column weights...)", -1);
    return;
  }
  constexpr double k1 = 1.2;
  constexpr double b = 0.75;
  RankData* data = nullptr;
  int rc = rank_data(api, fts, args, &data);
  int instances = 0;
  if (rc == SQLITE_OK) {
    std::fill(data->freq.begin(), data->freq.end(), 0.0);
    rc = api->xInstCount(fts, &instances);
  }
  for (int i = 0; rc == SQLITE_OK && i < instances; ++i) {
    int phrase = 0;
    int column = 0;
    int offset = 0;
    rc = api->xInst(fts, i, &phrase, &column, &offset);
    if (rc == SQLITE_OK) {
      const double weight = column + 2 < count ? sqlite3_value_double(args[column + 2]) : 1.0;
      data->freq[static_cast<std::size_t>(phrase)] += weight;
    }
  }
  int length = 0;
  if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &length);
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(result, rc);
    return;
  }
  double score = 0;
  for (std::size_t i = 0; i < data->idf.size(); ++i) {
    const double f = data->freq[i];
    score += data->idf[i] * (f * (k1 + 1.0)) /
             (f + k1 * (1 - b + b * static_cast<double>(length) / data->average_length));
  }
  sqlite3_result_double(result, -score);
}

}  // namespace

SearchTenantScope::SearchTenantScope(std::int64_t tenant) noexcept
    : previous_(current_scope), tenant_(tenant) {
  const auto [end, ec] = std::to_chars(prefix_, prefix_ + sizeof prefix_ - 1, tenant);
  (void)ec;  // 20 characters hold any int64
  *end = ':';
  prefix_size_ = static_cast<std::size_t>(end - prefix_) + 1;
  current_scope = this;
}

SearchTenantScope::~SearchTenantScope() {
  current_scope = previous_;
}

SearchTenantScope* SearchTenantScope::current() noexcept {
  return current_scope;
}

int register_search(sqlite3* db) noexcept {
  fts5_api* api = nullptr;
  sqlite3_stmt* statement = nullptr;
  int rc = sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &statement, nullptr);
  if (rc != SQLITE_OK) return rc;
  sqlite3_bind_pointer(statement, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
  rc = sqlite3_step(statement);
  sqlite3_finalize(statement);
  if (rc != SQLITE_ROW) return rc == SQLITE_OK || rc == SQLITE_DONE ? SQLITE_ERROR : rc;
  if (api == nullptr || api->iVersion < 2) return SQLITE_ERROR;
  rc = api->xCreateTokenizer(api, tenant_tokenizer_name, api, &tenant_tokenizer, nullptr);
  if (rc != SQLITE_OK) return rc;
  return api->xCreateFunction(api, tenant_rank_function_name, nullptr, rank, nullptr);
}

}  // namespace quire::storage::sqlite
