// The Version engine through the public API: history and retention, restore, diff, manual
// snapshots, autosaves, permissions, tenant isolation, purge, and optimistic concurrency.

#include <sqlite3.h>

#include <barrier>
#include <chrono>
#include <set>
#include <thread>
#include <type_traits>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

template <class B>
struct VersionFixture : EngineFixture<B> {
  User editor, second_editor, author, other_author, contributor, viewer;
  Context admin;  // the system context of tenant acme
  Context as_editor, as_second_editor, as_author, as_other, as_contributor, as_viewer;

  explicit VersionFixture(const std::string& settings = "{}")
      : admin(this->system),
        as_editor(admin),
        as_second_editor(admin),
        as_author(admin),
        as_other(admin),
        as_contributor(admin),
        as_viewer(admin) {
    must(this->system.tenants().create(
        {.slug = "acme", .name = "Acme", .plan = "enterprise", .settings = settings}));
    editor = this->make_user("editor");
    second_editor = this->make_user("editor2");
    author = this->make_user("author");
    other_author = this->make_user("other");
    contributor = this->make_user("contributor");
    viewer = this->make_user("viewer");
    must(this->system.tenants().add_member("acme", editor.id, "editor"));
    must(this->system.tenants().add_member("acme", second_editor.id, "editor"));
    must(this->system.tenants().add_member("acme", author.id, "author"));
    must(this->system.tenants().add_member("acme", other_author.id, "author"));
    must(this->system.tenants().add_member("acme", contributor.id, "contributor"));
    must(this->system.tenants().add_member("acme", viewer.id, "viewer"));
    admin = must(this->db.system("acme"));
    as_editor = must(this->db.context("acme", editor.id));
    as_second_editor = must(this->db.context("acme", second_editor.id));
    as_author = must(this->db.context("acme", author.id));
    as_other = must(this->db.context("acme", other_author.id));
    as_contributor = must(this->db.context("acme", contributor.id));
    as_viewer = must(this->db.context("acme", viewer.id));
  }

  // Every audit entry of the post with this action and outcome, through every page.
  std::size_t audited(PostId post, const std::string& action, const std::string& outcome = "ok") {
    AuditQuery query;
    query.resource_type = "post";
    query.resource_id = std::to_string(post);
    query.action = action;
    query.outcome = outcome;
    query.limit = 1000;
    std::size_t count = 0;
    for (;;) {
      auto page = must(admin.audit().query(query));
      count += page.items.size();
      if (page.next_cursor.empty()) return count;
      query.cursor = page.next_cursor;
    }
  }
};

std::vector<std::int64_t> numbers(const std::vector<Version>& versions) {
  std::vector<std::int64_t> out;
  out.reserve(versions.size());
  for (const auto& v : versions) out.push_back(v.number);
  return out;
}

std::vector<std::int64_t> range_desc(std::int64_t high, std::int64_t low) {
  std::vector<std::int64_t> out;
  for (auto n = high; n >= low; --n) out.push_back(n);
  return out;
}

// Line `i` of a long body: 49 bytes with its newline.
std::string fmt_line(int i) {
  std::string number = std::to_string(i);
  number.insert(0, 5 - number.size(), '0');
  return "line " + number + " of a long body, padded to fifty bytes\n";
}

// The rows of `table` for `post` in the file of a SqliteFile backend, read past the library.
std::int64_t raw_count(const SqliteFile& kind, const char* table, PostId post) {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open((kind.dir_->path() / "test.db").c_str(), &raw) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  const std::string sql = std::string("SELECT count(*) FROM ") + table + " WHERE post_id = ?";
  REQUIRE(sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  sqlite3_bind_int64(stmt, 1, post);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const auto count = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  return count;
}

}  // namespace

TEST_CASE_TEMPLATE("versions: 100 updates give 101 versions with retention off", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f(R"({"version_retention":0})");
  auto post = must(f.as_editor.posts().create({.title = "History", .body = "body 0\n"}));
  for (int i = 1; i <= 100; ++i) {
    post = must(f.as_editor.posts().update(post.id, post.version,
                                           {.body = "body " + std::to_string(i) + "\n"}));
  }
  CHECK(post.version == 101);
  auto versions = must(f.as_editor.versions().list(post.id));
  REQUIRE(versions.size() == 101);
  CHECK(numbers(versions) == range_desc(101, 1));  // newest first
  CHECK(versions.back().kind == "create");
  CHECK(versions.front().kind == "update");
  CHECK(versions.front().author_id == f.editor.id);
  CHECK(versions.front().size == static_cast<std::int64_t>(std::string("History").size() +
                                                           std::string("body 100\n").size()));
  CHECK(must(f.as_editor.versions().get(post.id, 1)).body == "body 0\n");
  CHECK(must(f.as_editor.versions().get(post.id, 51)).body == "body 50\n");
  CHECK(must(f.as_editor.versions().get(post.id, 101)).body == "body 100\n");
}

TEST_CASE_TEMPLATE("versions: retention keeps the newest N, counting the published one", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f(R"({"version_retention":10})");
  auto post = must(f.as_editor.posts().create({.title = "Kept", .body = "v1"}));
  post = must(f.as_editor.posts().update(post.id, 1, {.body = "v2"}));
  post = must(f.as_editor.posts().update(post.id, 2, {.body = "v3"}));
  post = must(f.as_editor.posts().publish(post.id));
  REQUIRE(post.published_version == std::optional<std::int64_t>(3));
  for (int i = 4; i <= 33; ++i) {
    post =
        must(f.as_editor.posts().update(post.id, post.version, {.body = "v" + std::to_string(i)}));
  }
  auto versions = must(f.as_editor.versions().list(post.id));
  CHECK(versions.size() == 10);
  auto expected = range_desc(33, 25);
  expected.push_back(3);
  CHECK(numbers(versions) == expected);
  CHECK(must(f.as_editor.versions().get(post.id, 3)).body == "v3");  // live, so never pruned
  expect_error(f.as_editor.versions().get(post.id, 24), Errc::not_found);
  expect_error(f.as_editor.versions().get(post.id, 1), Errc::not_found);

  // Without the setting, the default keeps 50.
  must(f.system.tenants().create({.slug = "plain", .name = "Plain", .plan = "enterprise"}));
  auto plain = must(f.db.system("plain"));
  auto other = must(plain.posts().create({.title = "Default"}));
  for (int i = 0; i < 60; ++i) other = must(plain.posts().update(other.id, other.version, {}));
  auto kept = must(plain.versions().list(other.id));
  CHECK(kept.size() == 50);
  CHECK(numbers(kept) == range_desc(61, 12));
}

TEST_CASE_TEMPLATE("versions: a restored post is byte-equal to its snapshot in every field", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  auto post = must(f.as_editor.posts().create(
      {.title = "Ünïcödé title — 日本語",
       .body = "line one\r\nline two\r\n\ttabbed 😀\nno newline at the end",
       .slug = "original",
       .tags = {"alpha", "beta"},
       .category = "News",
       .excerpt = "A given excerpt",
       .seo = R"({"title": "SEO", "robots": ["index", "follow"], "weight": 0.5})",
       .fields = R"({"color": "red", "n": 3, "nested": {"z": 1, "a": [true, null]}})"}));
  const auto original = must(f.as_editor.versions().get(post.id, 1));
  post = must(f.as_editor.posts().update(post.id, 1,
                                         {.title = "Changed",
                                          .body = "other body\n",
                                          .slug = "renamed",
                                          .tags = std::vector<std::string>{"gamma"},
                                          .category = std::optional<std::string>(),
                                          .excerpt = std::optional<std::string>(),
                                          .seo = "{}",
                                          .fields = R"({"color": "blue"})"}));
  post = must(f.as_editor.posts().publish(post.id));

  auto restored = must(f.as_editor.versions().restore(post.id, 1));
  CHECK(restored.version == 3);
  for (const auto& p : {restored, must(f.as_editor.posts().get(post.id))}) {
    CHECK(p.title == original.title);
    CHECK(p.body == original.body);
    CHECK(p.slug == original.slug);
    CHECK(p.category == original.category);
    CHECK(p.tags == original.tags);
    CHECK(p.excerpt == original.excerpt);
    CHECK(p.seo == original.seo);
    CHECK(p.fields == original.fields);
    CHECK(p.status == PostStatus::published);  // the status is not content: it stays
    CHECK(p.version == 3);
  }
  auto snapshot = must(f.as_editor.versions().get(post.id, 3));
  CHECK(snapshot.version.kind == "restore");
  CHECK(snapshot.version.summary == "restored from version 1");
  CHECK(snapshot.title == original.title);
  CHECK(snapshot.body == original.body);
  CHECK(snapshot.slug == original.slug);
  CHECK(snapshot.category == original.category);
  CHECK(snapshot.tags == original.tags);
  CHECK(snapshot.excerpt == original.excerpt);
  CHECK(snapshot.seo == original.seo);
  CHECK(snapshot.fields == original.fields);
  CHECK(snapshot.status == PostStatus::published);
  // History is never rewritten: version 2 is still there.
  CHECK(numbers(must(f.as_editor.versions().list(post.id))) == range_desc(3, 1));
  CHECK(must(f.as_editor.versions().get(post.id, 2)).title == "Changed");
  // Both slugs lead to the post.
  CHECK(must(f.as_editor.posts().get_by_slug("original")).id == post.id);
  CHECK(must(f.as_editor.posts().get_by_slug("renamed")).id == post.id);
  CHECK(f.audited(post.id, "version.restore") == 1);
  CHECK(must(f.admin.audit().verify()).ok);

  // A version that does not exist: not_found, and nothing written.
  auto msg = expect_error(f.as_editor.versions().restore(post.id, 99), Errc::not_found);
  CHECK(msg.find("99") != std::string::npos);
  expect_error(f.as_editor.versions().restore(post.id, 0), Errc::not_found);
  expect_error(f.as_editor.versions().restore(post.id + 1000, 1), Errc::not_found);
  CHECK(must(f.as_editor.posts().get(post.id)).version == 3);
  CHECK(must(f.as_editor.versions().list(post.id)).size() == 3);
  CHECK(f.audited(post.id, "version.restore") == 1);

  // A post in the trash is restored from the trash first.
  must(f.as_editor.posts().remove(post.id));
  expect_error(f.as_editor.versions().restore(post.id, 2), Errc::conflict);
  expect_error(f.as_editor.versions().list(post.id), Errc::not_found);
}

TEST_CASE_TEMPLATE("versions: diff gives the unified text, hunks and changed fields", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  auto& ed = f.as_editor;
  // A given excerpt, so that body changes do not change it too.
  auto p = must(ed.posts().create(
      {.title = "Title", .body = "one\ntwo\nthree\n", .excerpt = "Fixed"}));         // v1
  p = must(ed.posts().update(p.id, p.version, {.body = "one\ntwo\nnew\nthree\n"}));  // v2
  p = must(ed.posts().update(p.id, p.version,
                             {.title = "New title",
                              .body = "one\nTWO\nnew\nthree\n",
                              .tags = std::vector<std::string>{"x"}}));  // v3
  p = must(ed.posts().update(p.id, p.version, {.body = ""}));            // v4
  p = must(ed.posts().update(p.id, p.version, {.body = "x"}));           // v5
  p = must(ed.posts().update(p.id, p.version,
                             {.slug = "moved",
                              .category = std::optional<std::string>("Cat"),
                              .excerpt = std::optional<std::string>("Other"),
                              .seo = R"({"a":1})",
                              .fields = R"({"b":2})"}));  // v6
  must(ed.posts().publish(p.id));
  must(ed.versions().snapshot(p.id, "published"));  // v7

  // An insertion, and the same the other way round: a deletion.
  auto d = must(ed.versions().diff(p.id, 1, 2));
  CHECK(d.from == 1);
  CHECK(d.to == 2);
  CHECK(d.text == "--- v1/body\n+++ v2/body\n@@ -1,3 +1,4 @@\n one\n two\n+new\n three\n");
  CHECK(d.changed_fields == std::vector<std::string>{"body"});
  CHECK(d.title_hunks.empty());
  REQUIRE(d.body_hunks.size() == 1);
  CHECK(d.body_hunks[0].old_start == 1);
  CHECK(d.body_hunks[0].old_count == 3);
  CHECK(d.body_hunks[0].new_start == 1);
  CHECK(d.body_hunks[0].new_count == 4);
  REQUIRE(d.body_hunks[0].lines.size() == 4);
  CHECK(d.body_hunks[0].lines[2].kind == DiffLine::Kind::added);
  CHECK(d.body_hunks[0].lines[2].text == "new");
  CHECK(d.body_hunks[0].lines[0].kind == DiffLine::Kind::context);
  CHECK(d.added == 1);
  CHECK(d.removed == 0);
  CHECK(must(ed.versions().diff(p.id, 2, 1)).text ==
        "--- v2/body\n+++ v1/body\n@@ -1,4 +1,3 @@\n one\n two\n-new\n three\n");

  // A replacement, of the title too.
  d = must(ed.versions().diff(p.id, 2, 3));
  CHECK(d.text ==
        "--- v2/title\n+++ v3/title\n@@ -1 +1 @@\n-Title\n+New title\n"
        "--- v2/body\n+++ v3/body\n@@ -1,4 +1,4 @@\n one\n-two\n+TWO\n new\n three\n");
  CHECK(d.changed_fields == std::vector<std::string>{"title", "body", "tags"});
  REQUIRE(d.title_hunks.size() == 1);
  REQUIRE(d.title_hunks[0].lines.size() == 2);
  CHECK(d.title_hunks[0].lines[0].kind == DiffLine::Kind::removed);
  CHECK(d.title_hunks[0].lines[0].text == "Title");
  CHECK_FALSE(d.title_hunks[0].lines[0].no_newline);
  CHECK(d.added == 2);
  CHECK(d.removed == 2);

  // Text to empty, and empty to text without a final newline.
  CHECK(must(ed.versions().diff(p.id, 3, 4)).text ==
        "--- v3/body\n+++ v4/body\n@@ -1,4 +0,0 @@\n-one\n-TWO\n-new\n-three\n");
  d = must(ed.versions().diff(p.id, 4, 5));
  CHECK(d.text == "--- v4/body\n+++ v5/body\n@@ -0,0 +1 @@\n+x\n\\ No newline at end of file\n");
  REQUIRE(d.body_hunks.size() == 1);
  CHECK(d.body_hunks[0].lines[0].no_newline);

  // Fields without text: no diff text, but named.
  d = must(ed.versions().diff(p.id, 5, 6));
  CHECK(d.text.empty());
  CHECK(d.changed_fields ==
        std::vector<std::string>{"slug", "category", "excerpt", "seo", "fields"});
  d = must(ed.versions().diff(p.id, 6, 7));
  CHECK(d.changed_fields == std::vector<std::string>{"status"});
  CHECK(d.text.empty());

  // The same version: nothing. A version that is not there: not_found.
  d = must(ed.versions().diff(p.id, 3, 3));
  CHECK(d.text.empty());
  CHECK(d.changed_fields.empty());
  CHECK(d.body_hunks.empty());
  expect_error(ed.versions().diff(p.id, 1, 42), Errc::not_found);
  expect_error(ed.versions().diff(p.id + 1000, 1, 2), Errc::not_found);
}

TEST_CASE_TEMPLATE("versions: diff of 1 MB bodies with a few edits", B, QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  std::vector<std::string> lines;
  std::string body;
  for (int i = 1; i <= 21000; ++i) {
    lines.push_back(fmt_line(i));
    body += lines.back();
  }
  REQUIRE(body.size() >= 1000000);
  auto post =
      must(f.as_editor.posts().create({.title = "Big", .body = body, .excerpt = "Big one"}));
  for (const int at : {100, 10000, 19990}) lines[static_cast<std::size_t>(at - 1)] = "edited\n";
  std::string edited;
  for (const auto& line : lines) edited += line;
  must(f.as_editor.posts().update(post.id, 1, {.body = edited}));

  const auto started = std::chrono::steady_clock::now();
  auto d = must(f.as_editor.versions().diff(post.id, 1, 2));
  MESSAGE("diff of two 1 MB versions took ",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(), " s");
  CHECK(d.changed_fields == std::vector<std::string>{"body"});
  CHECK(d.body_hunks.size() == 3);
  CHECK(d.added == 3);
  CHECK(d.removed == 3);
  CHECK(d.text.find("@@ -97,7 +97,7 @@\n " + fmt_line(97)) != std::string::npos);
  CHECK(d.text.find("-" + fmt_line(10000) + "+edited\n") != std::string::npos);
  CHECK(d.text.size() < 2000);
}

TEST_CASE_TEMPLATE("versions: a manual snapshot is the next version and moves Post::version", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  auto post = must(f.as_author.posts().create({.title = "Mine", .body = "text"}));
  auto v = must(f.as_author.versions().snapshot(post.id, "Before the big rewrite"));
  CHECK(v.number == 2);
  CHECK(v.kind == "manual");
  CHECK(v.summary == "Before the big rewrite");
  CHECK(v.author_id == f.author.id);
  auto now = must(f.as_author.posts().get(post.id));
  CHECK(now.version == 2);
  CHECK(now.body == "text");
  // An editor holding version 1 must reload.
  expect_error(f.as_author.posts().update(post.id, 1, {.body = "stale"}), Errc::conflict);
  CHECK(must(f.as_author.posts().update(post.id, 2, {.body = "new"})).version == 3);
  auto listed = must(f.as_author.versions().list(post.id));
  REQUIRE(listed.size() == 3);
  CHECK(listed[0].kind == "update");
  CHECK(listed[1].kind == "manual");
  CHECK(listed[1].summary == "Before the big rewrite");
  CHECK(listed[2].kind == "create");
  CHECK(must(f.as_author.versions().get(post.id, 2)).body == "text");
  CHECK(f.audited(post.id, "version.snapshot") == 1);
  CHECK(must(f.as_author.versions().snapshot(post.id)).summary.empty());  // a summary is optional

  // Bad summaries are refused and change nothing.
  expect_error(f.as_author.versions().snapshot(post.id, "bad \x01 control"),
               Errc::invalid_argument);
  expect_error(f.as_author.versions().snapshot(post.id, std::string(501, 's')),
               Errc::invalid_argument);
  CHECK(must(f.as_author.posts().get(post.id)).version == 4);
  // Another author's post: denied; the system context has no posts.
  auto theirs = must(f.as_other.posts().create({.title = "Theirs"}));
  expect_error(f.as_author.versions().snapshot(theirs.id, "x"), Errc::permission_denied);
  expect_error(f.system.versions().snapshot(theirs.id, "x"), Errc::invalid_argument);
  CHECK(must(f.as_other.posts().get(theirs.id)).version == 1);
}

TEST_CASE_TEMPLATE("versions: autosave overwrites one slot per user, and promote updates", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  auto& mine = f.as_author;
  auto post = must(mine.posts().create({.title = "Draft", .body = "saved"}));
  CHECK_FALSE(must(mine.versions().autosave_get(post.id)));

  auto first = must(mine.versions().autosave(post.id, "T1", "B1"));
  CHECK(first.base_version == 1);
  CHECK(first.user_id == f.author.id);
  must(mine.versions().autosave(post.id, "T2", "B2"));
  auto got = must(mine.versions().autosave_get(post.id));
  REQUIRE(got);
  CHECK(got->title == "T2");  // overwritten, not piled up
  CHECK(got->body == "B2");
  CHECK(got->post_id == post.id);
  CHECK(got->saved_at >= first.saved_at);
  // Each user has their own slot; an autosave is neither a version nor a change of the post.
  must(f.as_editor.versions().autosave(post.id, "Editor's", "own"));
  CHECK(must(f.as_editor.versions().autosave_get(post.id))->title == "Editor's");
  CHECK(must(mine.versions().autosave_get(post.id))->title == "T2");
  CHECK(must(mine.versions().list(post.id)).size() == 1);
  CHECK(must(mine.posts().get(post.id)).body == "saved");
  CHECK(must(mine.posts().get(post.id)).version == 1);

  must(mine.versions().discard(post.id));
  CHECK_FALSE(must(mine.versions().autosave_get(post.id)));
  must(mine.versions().discard(post.id));                     // again: nothing to drop, no error
  CHECK(must(f.as_editor.versions().autosave_get(post.id)));  // the other slot stays

  // Promote: an update with expected_version, and the slot is gone.
  must(mine.versions().autosave(post.id, "T3", "B3"));
  auto promoted = must(mine.versions().promote(post.id, 1));
  CHECK(promoted.version == 2);
  CHECK(promoted.title == "T3");
  CHECK(promoted.body == "B3");
  CHECK(must(mine.posts().get(post.id)).body == "B3");
  CHECK_FALSE(must(mine.versions().autosave_get(post.id)));
  CHECK(must(mine.versions().get(post.id, 2)).version.kind == "update");
  CHECK(f.audited(post.id, "post.update") == 1);

  // A stale promote is a conflict; the autosave and the post stay as they were.
  must(mine.versions().autosave(post.id, "T4", "B4"));
  must(f.as_editor.posts().update(post.id, 2, {.body = "editor's change"}));
  auto msg = expect_error(mine.versions().promote(post.id, 2), Errc::conflict);
  CHECK(msg.find("version 3") != std::string::npos);
  CHECK(must(mine.versions().autosave_get(post.id))->title == "T4");
  CHECK(must(mine.posts().get(post.id)).body == "editor's change");
  CHECK(must(mine.versions().list(post.id)).size() == 3);
  CHECK(f.audited(post.id, "post.update") == 2);
  CHECK(must(mine.versions().promote(post.id, 3)).title == "T4");

  // Nothing to promote; a blank title is kept while typing but cannot be promoted.
  expect_error(mine.versions().promote(post.id, 4), Errc::not_found);
  must(mine.versions().autosave(post.id, "   ", "half-typed"));
  msg = expect_error(mine.versions().promote(post.id, 4), Errc::invalid_argument);
  CHECK(msg.find("title") != std::string::npos);
  CHECK(must(mine.posts().get(post.id)).version == 4);
  CHECK(must(mine.versions().autosave_get(post.id))->body == "half-typed");

  // Bad input, and contexts without a user.
  expect_error(mine.versions().autosave(post.id, "t", "bad \xff"), Errc::invalid_argument);
  expect_error(mine.versions().autosave(post.id, std::string(501, 't'), ""),
               Errc::invalid_argument);
  expect_error(f.admin.versions().autosave(post.id, "t", "b"), Errc::invalid_argument);
  expect_error(f.admin.versions().autosave_get(post.id), Errc::invalid_argument);
  expect_error(mine.versions().autosave(post.id + 1000, "t", "b"), Errc::not_found);
  // Someone else's post, and a viewer.
  expect_error(f.as_other.versions().autosave(post.id, "t", "b"), Errc::permission_denied);
  expect_error(f.as_viewer.versions().autosave(post.id, "t", "b"), Errc::permission_denied);
}

TEST_CASE_TEMPLATE("versions: who may read and restore them", B, QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  auto draft = must(f.as_editor.posts().create({.title = "Secret draft"}));
  must(f.as_editor.posts().update(draft.id, 1, {.body = "more"}));
  // A viewer cannot see a draft at all, so neither its versions.
  expect_error(f.as_viewer.versions().list(draft.id), Errc::not_found);
  expect_error(f.as_viewer.versions().get(draft.id, 1), Errc::not_found);
  expect_error(f.as_viewer.versions().diff(draft.id, 1, 2), Errc::not_found);
  // Nor may a contributor see someone else's draft; their own they may.
  expect_error(f.as_contributor.versions().list(draft.id), Errc::not_found);
  auto own = must(f.as_contributor.posts().create({.title = "Contribution"}));
  CHECK(must(f.as_contributor.versions().list(own.id)).size() == 1);
  // Published, it is visible, but viewers lack version.read.
  must(f.as_editor.posts().publish(draft.id));
  auto why = expect_error(f.as_viewer.versions().list(draft.id), Errc::permission_denied);
  CHECK(why.find("version.read") != std::string::npos);
  CHECK(f.audited(draft.id, "version.list", "denied") == 1);
  CHECK(must(f.as_contributor.versions().list(draft.id)).size() == 2);

  // Restoring needs version.restore: editors have it, authors not even on their own posts.
  auto mine = must(f.as_author.posts().create({.title = "Author's"}));
  must(f.as_author.posts().update(mine.id, 1, {.body = "second"}));
  why = expect_error(f.as_author.versions().restore(mine.id, 1), Errc::permission_denied);
  CHECK(why.find("version.restore") != std::string::npos);
  CHECK(f.audited(mine.id, "version.restore", "denied") == 1);
  CHECK(must(f.as_author.posts().get(mine.id)).version == 2);
  CHECK(must(f.as_author.versions().list(mine.id)).size() == 2);  // reading is fine
  auto restored = must(f.as_editor.versions().restore(mine.id, 1));
  CHECK(restored.body.empty());
  CHECK(restored.version == 3);
  CHECK(restored.author_id == f.author.id);  // the post is still the author's
  CHECK(must(f.as_editor.versions().list(mine.id)).front().author_id == f.editor.id);
}

TEST_CASE_TEMPLATE("versions: another tenant's context reaches none of them", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  must(f.system.tenants().create({.slug = "rival", .name = "Rival", .plan = "pro"}));
  auto rival_owner = f.make_user("rival");
  must(f.system.tenants().add_member("rival", rival_owner.id, "owner"));
  auto rival = must(f.db.context("rival", rival_owner.id));
  auto rival_admin = must(f.db.system("rival"));

  auto secret = must(f.as_editor.posts().create({.title = "Acme plan", .body = "confidential"}));
  must(f.as_editor.posts().update(secret.id, 1, {.body = "still confidential"}));
  must(f.as_editor.posts().publish(secret.id));
  must(f.as_editor.versions().autosave(secret.id, "t", "b"));

  for (auto& other : {rival, rival_admin}) {
    expect_error(other.versions().list(secret.id), Errc::not_found);
    expect_error(other.versions().get(secret.id, 1), Errc::not_found);
    expect_error(other.versions().diff(secret.id, 1, 2), Errc::not_found);
    expect_error(other.versions().restore(secret.id, 1), Errc::not_found);
    expect_error(other.versions().snapshot(secret.id, "x"), Errc::not_found);
  }
  expect_error(rival.versions().autosave(secret.id, "t", "b"), Errc::not_found);
  expect_error(rival.versions().autosave_get(secret.id), Errc::not_found);
  expect_error(rival.versions().discard(secret.id), Errc::not_found);
  expect_error(rival.versions().promote(secret.id, 2), Errc::not_found);
  auto post = must(f.as_editor.posts().get(secret.id));
  CHECK(post.version == 2);
  CHECK(post.body == "still confidential");
  CHECK(must(f.as_editor.versions().list(secret.id)).size() == 2);
  CHECK(must(f.as_editor.versions().autosave_get(secret.id))->title == "t");
}

TEST_CASE_TEMPLATE("versions: purging a post removes its versions and autosaves", B,
                   QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  auto doomed = must(f.as_editor.posts().create({.title = "Doomed", .body = "1"}));
  auto kept = must(f.as_editor.posts().create({.title = "Kept", .body = "1"}));
  for (int i = 0; i < 5; ++i) {
    doomed = must(f.as_editor.posts().update(doomed.id, doomed.version, {.body = "more"}));
  }
  must(f.as_editor.versions().autosave(doomed.id, "t", "b"));
  must(f.as_editor.versions().autosave(kept.id, "t", "b"));
  must(f.as_editor.posts().purge(doomed.id));
  expect_error(f.as_editor.versions().list(doomed.id), Errc::not_found);
  expect_error(f.as_editor.versions().get(doomed.id, 1), Errc::not_found);
  expect_error(f.as_editor.versions().autosave_get(doomed.id), Errc::not_found);
  CHECK(must(f.as_editor.versions().list(kept.id)).size() == 1);
  CHECK(must(f.as_editor.versions().autosave_get(kept.id)));
  if constexpr (std::is_same_v<B, SqliteFile>) {
    // Gone from the file, not only out of reach.
    CHECK(raw_count(f.kind, "post_versions", doomed.id) == 0);
    CHECK(raw_count(f.kind, "post_autosaves", doomed.id) == 0);
    CHECK(raw_count(f.kind, "post_versions", kept.id) == 1);
    CHECK(raw_count(f.kind, "post_autosaves", kept.id) == 1);
  }
}

TEST_CASE_TEMPLATE(
    "versions: of two updates from the same version, one wins and the other "
    "writes nothing",
    B, QUIRE_TEST_BACKENDS) {
  VersionFixture<B> f;
  auto post = must(f.as_editor.posts().create({.title = "Contested", .body = "base"}));
  auto seen_by_a = must(f.as_editor.posts().get(post.id));
  auto seen_by_b = must(f.as_second_editor.posts().get(post.id));
  REQUIRE(seen_by_a.version == seen_by_b.version);
  must(f.as_editor.posts().update(post.id, seen_by_a.version, {.body = "A wins"}));
  auto msg = expect_error(
      f.as_second_editor.posts().update(post.id, seen_by_b.version, {.body = "B loses"}),
      Errc::conflict);
  CHECK(msg.find("version 2") != std::string::npos);  // names the current version
  CHECK(must(f.as_editor.posts().get(post.id)).body == "A wins");
  CHECK(numbers(must(f.as_editor.versions().list(post.id))) == range_desc(2, 1));
  CHECK(f.audited(post.id, "post.update") == 1);
  CHECK(f.audited(post.id, "post.update", "denied") == 0);
  // A stale promote writes nothing either.
  must(f.as_second_editor.versions().autosave(post.id, "B's title", "B's body"));
  expect_error(f.as_second_editor.versions().promote(post.id, 1), Errc::conflict);
  CHECK(must(f.as_editor.versions().list(post.id)).size() == 2);
  CHECK(f.audited(post.id, "post.update") == 1);
}

// Two threads, each with its own context, race `rounds` times: in each round both update the post
// with the same expected_version at once. SQLite file backend: real concurrent connections.
TEST_CASE("versions: two threads racing on expected_version number versions without gaps") {
  VersionFixture<SqliteFile> f(R"({"version_retention":0})");
  constexpr int rounds = 1000;
  auto post = must(f.as_editor.posts().create({.title = "Raced", .body = "0"}));
  enum class Outcome { ok, conflict, other };
  std::vector<Outcome> outcomes[2];
  std::vector<std::string> errors[2];
  std::barrier start(2);
  const auto started = std::chrono::steady_clock::now();
  auto run = [&](int who, const Context& ctx) {  // each thread has its own copy
    outcomes[who].reserve(rounds);
    for (int round = 0; round < rounds; ++round) {
      start.arrive_and_wait();  // both finished the previous round; go together
      auto result = ctx.posts().update(
          post.id, round + 1,
          {.body = "round " + std::to_string(round) + " by " + std::to_string(who)});
      if (result) {
        outcomes[who].push_back(Outcome::ok);
      } else if (result.error().code == Errc::conflict) {
        outcomes[who].push_back(Outcome::conflict);
      } else {
        outcomes[who].push_back(Outcome::other);
        errors[who].push_back(result.error().message);
      }
    }
  };
  std::thread a(run, 0, f.as_editor);
  std::thread b(run, 1, f.as_second_editor);
  a.join();
  b.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE(rounds, " rounds of two racing updates took ", seconds, " s");

  int wins[2] = {0, 0};
  int bad_rounds = 0;
  for (int round = 0; round < rounds; ++round) {
    const auto x = outcomes[0][static_cast<std::size_t>(round)];
    const auto y = outcomes[1][static_cast<std::size_t>(round)];
    const bool one_winner = (x == Outcome::ok && y == Outcome::conflict) ||
                            (x == Outcome::conflict && y == Outcome::ok);
    if (!one_winner) ++bad_rounds;
    wins[0] += x == Outcome::ok;
    wins[1] += y == Outcome::ok;
  }
  CHECK_MESSAGE(errors[0].empty(), (errors[0].empty() ? "" : errors[0].front()));
  CHECK_MESSAGE(errors[1].empty(), (errors[1].empty() ? "" : errors[1].front()));
  CHECK(bad_rounds == 0);  // exactly one winner and one conflict in every round
  CHECK(wins[0] + wins[1] == rounds);
  MESSAGE("wins: thread 0 ", wins[0], ", thread 1 ", wins[1]);

  // Versions 1…N without a gap or a duplicate, and one audit entry per win, none per loss.
  const auto versions = must(f.as_editor.versions().list(post.id));
  CHECK(numbers(versions) == range_desc(rounds + 1, 1));
  CHECK(must(f.as_editor.posts().get(post.id)).version == rounds + 1);
  CHECK(f.audited(post.id, "post.update") == static_cast<std::size_t>(rounds));
  CHECK(must(f.admin.audit().verify()).ok);
}

TEST_CASE_TEMPLATE("versions: the diff of two large unrelated bodies is bounded and says so", B,
                   SqliteMemory) {
  VersionFixture<B> f;
  auto& ed = f.as_editor;
  std::string a;
  std::string b;
  for (int i = 0; i < 500000; ++i) {  // 2 MB each, every line different from the other body's
    a += "a" + std::to_string(i % 10) + "\n";
    b += "b" + std::to_string(i % 10) + "\n";
  }
  auto p = must(ed.posts().create({.title = "Big", .body = a, .excerpt = "Fixed"}));  // v1
  p = must(ed.posts().update(p.id, p.version, {.body = b}));                          // v2
  const auto started = std::chrono::steady_clock::now();
  const auto d = must(ed.versions().diff(p.id, 1, 2));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(d.truncated);
  CHECK(d.added == 500000);  // the counts cover the whole diff
  CHECK(d.removed == 500000);
  std::size_t lines = 0;
  for (const auto& hunk : d.body_hunks) {
    lines += hunk.lines.size();
    std::size_t old_lines = 0;
    for (const auto& line : hunk.lines) old_lines += line.kind != DiffLine::Kind::added;
    CHECK(hunk.old_count == old_lines);  // the cut hunk's counts cover the lines it shows
  }
  CHECK(lines == 20000);
  CHECK(d.text.size() < std::size_t{2} << 20);
  // A small diff is whole.
  p = must(ed.posts().update(p.id, p.version, {.body = b + "one more\n"}));  // v3
  CHECK_FALSE(must(ed.versions().diff(p.id, 2, 3)).truncated);
}
