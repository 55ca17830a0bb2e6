// Tenant-first full-text search: each tenant's terms in doclists of their own, scores that only
// count the tenant's own documents, diacritics folded, and no query that reaches across the tenant
// boundary. The "posts: search…" cases run through the public API on every backend; the "sqlite
// search…" ones open the SQLite file directly, with the tokenizer registered on a connection of
// their own (the test builds src/storage/sqlite/sqlite_search.cpp in; the library's copy is
// hidden inside it).

#include <sqlite3.h>

#include <map>
#include <set>

#include "storage/sqlite/sqlite_search.hpp"
#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

// Two tenants, acme and rival, each with an owner.
template <class B>
struct TwoTenants : EngineFixture<B> {
  Tenant acme_tenant, rival_tenant;
  Context acme, rival;

  TwoTenants() : acme(this->system), rival(this->system) {
    acme_tenant =
        must(this->system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"}));
    rival_tenant = must(
        this->system.tenants().create({.slug = "rival", .name = "Rival", .plan = "enterprise"}));
    auto ann = this->make_user("ann");
    auto bob = this->make_user("bob");
    must(this->system.tenants().add_member("acme", ann.id, "owner"));
    must(this->system.tenants().add_member("rival", bob.id, "owner"));
    acme = must(this->db.context("acme", ann.id));
    rival = must(this->db.context("rival", bob.id));
  }
};

Post publish(Context& ctx, const std::string& title, const std::string& body) {
  auto post = must(ctx.posts().create({.title = title, .body = body}));
  return must(ctx.posts().publish(post.id));
}

std::map<PostId, double> scores_of(const std::vector<SearchHit>& hits) {
  std::map<PostId, double> scores;
  for (const auto& hit : hits) scores[hit.post_id] = hit.score;
  return scores;
}

std::set<PostId> ids_of(const std::vector<SearchHit>& hits) {
  std::set<PostId> ids;
  for (const auto& hit : hits) ids.insert(hit.post_id);
  return ids;
}

std::string words(const std::string& word, int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += (i ? " " : "") + word;
  return text;
}

// ---- raw SQLite ---------------------------------------------------------------------------------

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    REQUIRE(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                            nullptr) == SQLITE_OK);
    REQUIRE(storage::sqlite::register_search(db_) == SQLITE_OK);
  }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;
  ~RawDb() { sqlite3_close(db_); }

  // Runs `sql`; returns the SQLite result code and appends each row's columns, '|'-joined.
  int run(const std::string& sql, std::vector<std::string>* rows = nullptr) {
    sqlite3_stmt* statement = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, &statement, nullptr);
    if (rc != SQLITE_OK) return rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) {
      std::string row;
      for (int i = 0; i < sqlite3_column_count(statement); ++i) {
        const auto* text = sqlite3_column_text(statement, i);
        row += (i ? "|" : "") + std::string(text ? reinterpret_cast<const char*>(text) : "NULL");
      }
      if (rows != nullptr) rows->push_back(row);
    }
    sqlite3_finalize(statement);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
  std::vector<std::string> rows(const std::string& sql) {
    std::vector<std::string> out;
    const int rc = run(sql, &out);
    REQUIRE_MESSAGE(rc == SQLITE_OK, sql, ": ", sqlite3_errmsg(db_));
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace

TEST_CASE_TEMPLATE("posts: search in two tenants: each sees its own hits, scored by its own posts",
                   B, QUIRE_TEST_BACKENDS) {
  TwoTenants<B> f;
  const auto title_hit = publish(f.acme, "Harbour lights", "evening walk");
  const auto short_body = publish(f.acme, "Notes", "the harbour at dawn");
  const auto long_body = publish(
      f.acme, "Diary", "a long entry " + words("filler", 60) + " harbour " + words("more", 40));
  for (int i = 0; i < 8; ++i) {
    publish(f.acme, "Unrelated " + std::to_string(i), words("nothing to see", i + 1));
  }
  const auto rival_hit = publish(f.rival, "Harbour master", "the same word in the other tenant");

  auto acme_hits = must(f.acme.posts().search("harbour"));
  REQUIRE(acme_hits.size() == 3);
  CHECK(ids_of(acme_hits) == std::set<PostId>{title_hit.id, short_body.id, long_body.id});
  CHECK(acme_hits[0].post_id == title_hit.id);   // the title counts ten times the body
  CHECK(acme_hits[1].post_id == short_body.id);  // then the shorter document
  auto rival_hits = must(f.rival.posts().search("harbour"));
  REQUIRE(rival_hits.size() == 1);
  CHECK(rival_hits[0].post_id == rival_hit.id);
  const auto acme_scores = scores_of(acme_hits);
  for (const auto& [id, score] : acme_scores)
    CHECK(score > 0.01);  // not the floor of a common word

  // The rival writes a lot: posts with the word, without it, long and short, and removes some.
  std::vector<Post> written;
  for (int i = 0; i < 40; ++i) {
    const std::string body = i % 2 ? words("harbour", i + 1) : words("other", 5 * i + 1);
    written.push_back(publish(f.rival, "Rival post " + std::to_string(i), body));
  }
  must(f.rival.posts().update(written[3].id, written[3].version, {.body = words("harbour", 90)}));
  must(f.rival.posts().purge(written[4].id));
  must(f.rival.posts().remove(written[5].id));

  // Acme's scores do not move: bm25 counts acme's documents and their lengths only.
  CHECK(scores_of(must(f.acme.posts().search("harbour"))) == acme_scores);
  CHECK(scores_of(must(f.acme.posts().search("harbour*"))) == acme_scores);
  // The rival sees its own: the first post and the 20 odd ones, but #5, which is in the trash.
  auto after = must(f.rival.posts().search("harbour", 100));
  CHECK(after.size() == 20);
  for (const auto& hit : after) {
    CHECK(hit.post_id != title_hit.id);
    CHECK(hit.post_id != short_body.id);
    CHECK(hit.post_id != long_body.id);
  }

  // And the other way round: acme writing leaves the rival's first post where it was...
  const auto rival_before = scores_of(must(f.rival.posts().search("\"same word\"")));
  for (int i = 0; i < 10; ++i)
    publish(f.acme, "Acme " + std::to_string(i), words("same word", i + 1));
  CHECK(scores_of(must(f.rival.posts().search("\"same word\""))) == rival_before);
  CHECK(rival_before.size() == 1);

  // ... and a post that comes and goes for good leaves the statistics as they were.
  const auto settled = scores_of(must(f.acme.posts().search("harbour")));
  CHECK(settled != acme_scores);  // acme's own writes do count
  const auto extra = publish(f.acme, "Harbour again", words("harbour", 7));
  CHECK(scores_of(must(f.acme.posts().search("harbour"))).size() == 4);
  must(f.acme.posts().purge(extra.id));
  CHECK(scores_of(must(f.acme.posts().search("harbour"))) == settled);
}

TEST_CASE_TEMPLATE("posts: search folds diacritics and case", B, QUIRE_TEST_BACKENDS) {
  TwoTenants<B> f;
  const auto accented = publish(f.acme, "Le café", "crème brûlée at the Naïve Façade");
  const auto plain = publish(f.acme, "A cafe", "creme brulee at the naive facade");
  const std::set<PostId> both{accented.id, plain.id};
  for (const std::string query :
       {"cafe", "café", "CAFÉ", "Cafe", "creme", "crème", "brûlée", "brulee", "naive", "naïve",
        "facade", "FAÇADE", "caf*", "cré*", "\"creme brulee\"", "\"crème brûlée\""}) {
    CAPTURE(query);
    CHECK(ids_of(must(f.acme.posts().search(query))) == both);
  }
  auto hits = must(f.acme.posts().search("brulee"));
  bool highlighted = false;
  for (const auto& hit : hits) {
    if (hit.post_id == accented.id) highlighted = hit.snippet.find("[brûlée]") != std::string::npos;
  }
  CHECK(highlighted);  // the snippet shows the text as written
  CHECK(must(f.rival.posts().search("cafe")).empty());
}

TEST_CASE_TEMPLATE("posts: search prefixes never cross the tenant boundary", B,
                   QUIRE_TEST_BACKENDS) {
  TwoTenants<B> f;
  const auto mine = publish(f.acme, "Ordinary", "public words only 1 12 123");
  std::set<PostId> rival_ids;
  for (const std::string body :
       {"secret 2 21 plans", "classified figures 1 12", "sécret 2:secret"}) {
    rival_ids.insert(publish(f.rival, "Rival " + body, body).id);
  }
  const auto acme_id = std::to_string(f.acme_tenant.id);
  const auto rival_id = std::to_string(f.rival_tenant.id);
  const std::vector<std::string> probes = {"secret",
                                           "secret*",
                                           "s*",
                                           "c*",
                                           "classified",
                                           "figures",
                                           "plans",
                                           "1*",
                                           "2*",
                                           "1",
                                           "2",
                                           "12*",
                                           "21*",
                                           "2:",
                                           "2:*",
                                           "2:secret",
                                           "\"2:secret\"",
                                           "2:s*",
                                           rival_id + ":",
                                           rival_id + ":*",
                                           rival_id + ":secret",
                                           rival_id + ":s*",
                                           "\"" + rival_id + ":secret\"",
                                           rival_id + "*",
                                           acme_id + ":" + rival_id + ":secret",
                                           acme_id + ":*",
                                           "*:secret",
                                           ":secret",
                                           "::secret",
                                           "0:secret",
                                           "-1:secret",
                                           "99999999999999999999:secret",
                                           "9223372036854775807:secret",
                                           rival_id + "\\:secret",
                                           rival_id + "\xef\xbc\x9asecret",  // a fullwidth colon
                                           "NEAR(" + rival_id + ":secret 2:plans)",
                                           "{title body}:secret",
                                           "title:secret",
                                           "body:" + rival_id + ":s*",
                                           "secret OR classified",
                                           "^secret",
                                           "rival*"};
  for (const auto& probe : probes) {
    CAPTURE(probe);
    auto result = f.acme.posts().search(probe);
    if (!result) {
      CHECK(result.error().code == Errc::invalid_argument);
      continue;
    }
    for (const auto& hit : result.value()) {
      CHECK(rival_ids.count(hit.post_id) == 0);
      CHECK(hit.post_id == mine.id);
    }
  }
  // The rival finds its own, by every route.
  CHECK(must(f.rival.posts().search("secret")).size() == 2);  // sécret folds to secret
  CHECK(must(f.rival.posts().search("s*")).size() == 2);
  CHECK(must(f.rival.posts().search("2*")).size() == 2);
  CHECK(must(f.acme.posts().search("1*")).size() == 1);
  CHECK(must(f.acme.posts().search("12")).size() == 1);
}

TEST_CASE_TEMPLATE("posts: search survives a sweep of hostile strings", B, QUIRE_TEST_BACKENDS) {
  TwoTenants<B> f;
  const auto mine = publish(f.acme, "Zebra crossing", "stripes \"quoted\" (parens) a*b NEAR x");
  publish(f.rival, "Zebra rival", "rival stripes");
  std::vector<std::string> hostile = {"\"",
                                      "\"\"",
                                      R"(""")",
                                      "'",
                                      "''",
                                      "*",
                                      "**",
                                      "a**",
                                      "*a",
                                      ")(",
                                      "(",
                                      ")",
                                      "((((",
                                      "))))",
                                      "AND",
                                      "OR",
                                      "NOT",
                                      "AND OR",
                                      "a AND",
                                      "OR b",
                                      "NOT a",
                                      "a NOT b",
                                      "NEAR",
                                      "NEAR(",
                                      "NEAR(a b",
                                      "NEAR(a b, 2)",
                                      "NEAR/3",
                                      "a NEAR/2 b",
                                      "^",
                                      "^a",
                                      "a^",
                                      "+",
                                      "-",
                                      "- -",
                                      "-a",
                                      "a:b",
                                      ":",
                                      "::",
                                      "title:",
                                      "title:zebra",
                                      "{title}:zebra",
                                      "{title body}: zebra",
                                      "{",
                                      "}",
                                      "{x}",
                                      "[",
                                      "]",
                                      ",",
                                      ";",
                                      "\\",
                                      "\\\"",
                                      "%",
                                      "_",
                                      "a%",
                                      "zebra%",
                                      "'; DROP TABLE posts; --",
                                      "\" OR 1=1 --",
                                      "zebra\" OR \"x",
                                      "zebra) OR (x",
                                      "posts_fts",
                                      "rank",
                                      "bm25(posts_fts)",
                                      "MATCH",
                                      "* OR *",
                                      "\"zebra",
                                      "zebra\"",
                                      "\"zebra crossing",
                                      "zebra*\"",
                                      R"("*")",
                                      R"("a" "b" ")",
                                      "\t\n\r zebra \t",
                                      "zebra\x01",
                                      "\x7f",
                                      "\xc2\xa0zebra\xc2\xa0",
                                      "\xe2\x80\x8bzebra",                // nbsp, zero width space
                                      "\xe2\x80\xaezebra",                // right-to-left override
                                      std::string("ze\xcc\x81") + "bra",  // combining accent
                                      "\xf0\x9f\xa6\x93",                 // an emoji (zebra)
                                      "\xef\xbf\xbf",
                                      "\xf4\x8f\xbf\xbf",  // noncharacters
                                      "Ω≈ç√∫",
                                      "日本語",
                                      "עברית",
                                      "zebra " + std::string(900, 'z'),
                                      std::string(1024, 'a'),
                                      std::string(1024, '"'),
                                      std::string(1024, '*'),
                                      std::string(600, '(') + std::string(400, ')')};
  std::string many;
  for (int i = 0; i < 100; ++i) many += "w" + std::to_string(i) + "* ";
  hostile.push_back(many);
  for (const auto& query : hostile) {
    CAPTURE(query);
    auto result = f.acme.posts().search(query);
    if (!result) {
      CHECK(result.error().code == Errc::invalid_argument);
      continue;
    }
    for (const auto& hit : result.value()) CHECK(hit.post_id == mine.id);
  }
  for (const std::string& refused :
       {std::string(1025, 'a'), std::string("a\0b", 3), std::string("\xff"),
        std::string("\xc0\xaf"), std::string("\xed\xa0\x80"), std::string(""), std::string(" ")}) {
    CAPTURE(refused);
    expect_error(f.acme.posts().search(refused), Errc::invalid_argument);
  }
  // Nothing was poisoned: plain searches still work in both tenants.
  REQUIRE(must(f.acme.posts().search("zebra")).size() == 1);
  CHECK(must(f.acme.posts().search("zebra"))[0].post_id == mine.id);
  CHECK(must(f.rival.posts().search("zebra")).size() == 1);
}

TEST_CASE_TEMPLATE("sqlite search: every term is filed under its tenant", B, SqliteFile) {
  TwoTenants<B> f;
  publish(f.acme, "Shared word", "lantern");
  publish(f.acme, "Second", "lantern lantern");
  publish(f.rival, "Other", "lantern only here");
  const auto path = (f.kind.dir_->path() / "test.db").string();
  RawDb raw(path);
  raw.rows("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, posts_fts, row)");
  const auto acme = std::to_string(f.acme_tenant.id) + ":";
  const auto rival = std::to_string(f.rival_tenant.id) + ":";
  std::map<std::string, std::string> docs;  // term → documents
  for (const auto& row : raw.rows("SELECT term, doc FROM temp.vocab")) {
    const auto bar = row.find('|');
    const auto term = row.substr(0, bar);
    CAPTURE(term);
    CHECK((term.rfind(acme, 0) == 0 || term.rfind(rival, 0) == 0));
    docs[term] = row.substr(bar + 1);
  }
  CHECK(docs[acme + "lantern"] == "2");
  CHECK(docs[rival + "lantern"] == "1");
  CHECK(docs.count("lantern") == 0);
  // The statistics quire_bm25 reads: per tenant, the documents and their tokens.
  CHECK(raw.rows("SELECT tenant_id, documents, tokens FROM post_search_stats ORDER BY tenant_id") ==
        std::vector<std::string>{std::to_string(f.acme_tenant.id) + "|2|6",
                                 std::to_string(f.rival_tenant.id) + "|1|4"});
}

TEST_CASE("sqlite search: the tokenizer refuses to work without a tenant") {
  using storage::sqlite::SearchTenantScope;
  TempDir dir;
  RawDb raw((dir.path() / "raw.db").string());
  REQUIRE(SearchTenantScope::current() == nullptr);
  raw.rows("CREATE VIRTUAL TABLE t USING fts5 (x, tokenize = 'quire_tenant')");
  // No scope: the insert fails cleanly and indexes nothing.
  CHECK(raw.run("INSERT INTO t (rowid, x) VALUES (1, 'orphan words')") != SQLITE_OK);
  {
    const SearchTenantScope scope(7);
    CHECK(SearchTenantScope::current() == &scope);
    CHECK(scope.prefix() == "7:");
    raw.rows("INSERT INTO t (rowid, x) VALUES (2, 'Crème brûlée for seven')");
    CHECK(scope.document_tokens() == 4);
    CHECK(raw.rows("SELECT rowid FROM t WHERE t MATCH 'creme'") == std::vector<std::string>{"2"});
    CHECK(raw.rows("SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH 'bru*'") ==
          std::vector<std::string>{"Crème [brûlée] for seven"});
    {
      const SearchTenantScope inner(8);  // scopes nest: another tenant sees nothing
      CHECK(raw.rows("SELECT rowid FROM t WHERE t MATCH 'creme'").empty());
      CHECK(raw.rows("SELECT rowid FROM t WHERE t MATCH '\"7\" *'").empty());
    }
    CHECK(SearchTenantScope::current() == &scope);
    CHECK(raw.rows("SELECT rowid FROM t WHERE t MATCH 'seven'") == std::vector<std::string>{"2"});
  }
  CHECK(SearchTenantScope::current() == nullptr);
  // No scope: searching fails cleanly as well, and the table is intact afterwards.
  CHECK(raw.run("SELECT rowid FROM t WHERE t MATCH 'creme'") != SQLITE_OK);
  CHECK(raw.rows("SELECT count(*) FROM t") == std::vector<std::string>{"1"});
  {
    const SearchTenantScope scope(-3);  // any int64 works, even one no tenant has
    CHECK(scope.prefix() == "-3:");
    CHECK(raw.rows("SELECT rowid FROM t WHERE t MATCH 'creme'").empty());
  }
  // A tokenizer that wraps itself is refused when the table is created.
  CHECK(raw.run("CREATE VIRTUAL TABLE u USING fts5 (x, tokenize = 'quire_tenant quire_tenant')") !=
        SQLITE_OK);
  CHECK(raw.run("CREATE VIRTUAL TABLE u USING fts5 (x, tokenize = 'quire_tenant nonesuch')") !=
        SQLITE_OK);
  // quire_bm25 without its statistics is an error, not a crash.
  const SearchTenantScope scope(7);
  CHECK(raw.run("SELECT quire_bm25(t) FROM t WHERE t MATCH 'creme'") != SQLITE_OK);
  CHECK(raw.rows("SELECT quire_bm25(t, 1, 4) < 0 FROM t WHERE t MATCH 'creme'") ==
        std::vector<std::string>{"1"});
}
