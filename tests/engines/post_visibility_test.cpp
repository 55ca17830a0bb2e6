// Visibility is part of the store query: a reader who may not see drafts gets full pages and
// reaches every published post however many newer drafts there are, a forged cursor tells nothing
// about rows the reader cannot see, and counts of categories and tags (and search hits) hold only
// what the reader may read. Each case failed while listings filtered visibility after the LIMIT.

#include <set>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

template <class B>
struct Readers : EngineFixture<B> {
  User editor, author, viewer;
  Context admin, as_editor, as_author, as_viewer;

  Readers() : admin(this->system), as_editor(admin), as_author(admin), as_viewer(admin) {
    must(this->system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"}));
    editor = this->make_user("editor");
    author = this->make_user("author");
    viewer = this->make_user("viewer");
    must(this->system.tenants().add_member("acme", editor.id, "editor"));
    must(this->system.tenants().add_member("acme", author.id, "author"));
    must(this->system.tenants().add_member("acme", viewer.id, "viewer"));
    admin = must(this->db.system("acme"));
    as_editor = must(this->db.context("acme", editor.id));
    as_author = must(this->db.context("acme", author.id));
    as_viewer = must(this->db.context("acme", viewer.id));
  }
};

// A cursor as the engine encodes one: base64url (no padding) of the JSON [key, id].
std::string forge_cursor(const std::string& json) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned bits = 0;
  int count = 0;
  for (unsigned char c : json) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += alphabet[(bits >> count) & 63];
    }
  }
  if (count > 0) out += alphabet[(bits << (6 - count)) & 63];
  return out;
}

// Every page of `query` for `ctx`: the ids in order, and the size of each page.
std::pair<std::vector<PostId>, std::vector<std::size_t>> all_pages(Context& ctx, PostQuery query) {
  std::vector<PostId> ids;
  std::vector<std::size_t> sizes;
  for (int guard = 0; guard < 100; ++guard) {
    auto page = must(ctx.posts().list(query));
    sizes.push_back(page.items.size());
    for (const auto& post : page.items) ids.push_back(post.id);
    if (page.next_cursor.empty()) break;
    query.cursor = page.next_cursor;
  }
  return {ids, sizes};
}

std::set<std::string> names(const std::vector<TermCount>& terms) {
  std::set<std::string> out;
  for (const auto& term : terms) out.insert(term.name);
  return out;
}

}  // namespace

TEST_CASE_TEMPLATE(
    "post visibility: 30 newer drafts leave a viewer full pages of every published post", B,
    QUIRE_TEST_BACKENDS) {
  Readers<B> f;
  std::set<PostId> published;
  for (int i = 0; i < 5; ++i) {
    auto post = must(f.as_editor.posts().create({.title = "Public " + std::to_string(i)}));
    published.insert(must(f.as_editor.posts().publish(post.id)).id);
  }
  for (int i = 0; i < 30; ++i) {
    must(f.as_editor.posts().create({.title = "Draft " + std::to_string(i)}));
  }
  for (auto order : {PostOrder::created_desc, PostOrder::updated_desc, PostOrder::published_desc,
                     PostOrder::published_asc, PostOrder::title_asc, PostOrder::title_desc}) {
    CAPTURE(static_cast<int>(order));
    PostQuery query;
    query.order = order;
    query.limit = 2;
    const auto [ids, sizes] = all_pages(f.as_viewer, query);
    CHECK(std::set<PostId>(ids.begin(), ids.end()) == published);
    CHECK(ids.size() == 5);
    // Full pages but the last.
    REQUIRE(sizes.size() == 3);
    CHECK(sizes[0] == 2);
    CHECK(sizes[1] == 2);
    CHECK(sizes[2] == 1);
  }
  // The editor still sees all 35, and the trash holds nothing a viewer may see.
  PostQuery everything;
  everything.order = PostOrder::created_desc;
  everything.limit = 7;
  CHECK(all_pages(f.as_editor, everything).first.size() == 35);
}

TEST_CASE_TEMPLATE("post visibility: a forged title cursor reveals nothing about a draft", B,
                   QUIRE_TEST_BACKENDS) {
  Readers<B> f;
  for (const auto* title : {"alpha", "omega", "zulu", "zz top"}) {
    auto post = must(f.as_editor.posts().create({.title = title}));
    must(f.as_editor.posts().publish(post.id));
  }
  must(f.as_editor.posts().create({.title = "secret plan"}));
  // Cursors on either side of the draft's title: the same visible rows follow both, so the
  // answers must be the same; before, the one before the draft came back without next_cursor.
  const auto page_after = [&](const std::string& title) {
    PostQuery query;
    query.order = PostOrder::title_asc;
    query.limit = 1;
    query.cursor = forge_cursor("[\"" + title + "\",0]");
    return must(f.as_viewer.posts().list(query));
  };
  const auto before = page_after("r");
  const auto after = page_after("t");
  REQUIRE(before.items.size() == 1);
  REQUIRE(after.items.size() == 1);
  CHECK(before.items[0].title == "zulu");
  CHECK(after.items[0].title == "zulu");
  CHECK_FALSE(before.next_cursor.empty());
  CHECK(before.next_cursor == after.next_cursor);
  // Whatever the cursor, only visible rows come back.
  for (const auto* probe : {"", "a", "s", "secret", "secret plan", "secret plan!", "z"}) {
    for (const auto& post : page_after(probe).items) CHECK(post.status == PostStatus::published);
  }
}

TEST_CASE_TEMPLATE("post visibility: categories and tags count only what the reader may read", B,
                   QUIRE_TEST_BACKENDS) {
  Readers<B> f;
  auto open = must(
      f.as_editor.posts().create({.title = "Open", .tags = {"public-tag"}, .category = "News"}));
  must(f.as_editor.posts().publish(open.id));
  auto hidden = must(f.as_editor.posts().create(
      {.title = "Hidden", .tags = {"secret-tag", "public-tag"}, .category = "Secret plans"}));
  must(f.as_author.posts().create({.title = "Mine", .tags = {"own-tag"}, .category = "Own"}));

  CHECK(names(must(f.as_viewer.posts().tags())) == std::set<std::string>{"public-tag"});
  CHECK(names(must(f.as_viewer.posts().categories())) == std::set<std::string>{"News"});
  const auto viewer_tags = must(f.as_viewer.posts().tags());
  REQUIRE(viewer_tags.size() == 1);
  CHECK(viewer_tags[0].count == 1);
  // An author sees the published terms and those of their own drafts.
  CHECK(names(must(f.as_author.posts().tags())) == std::set<std::string>{"own-tag", "public-tag"});
  CHECK(names(must(f.as_author.posts().categories())) == std::set<std::string>{"News", "Own"});
  // An editor sees every term.
  CHECK(names(must(f.as_editor.posts().tags())) ==
        std::set<std::string>{"own-tag", "public-tag", "secret-tag"});
  CHECK(names(must(f.as_editor.posts().categories())) ==
        std::set<std::string>{"News", "Own", "Secret plans"});
  // A grant on the draft lets the viewer read it: in listings, counts and search alike.
  must(f.admin.permissions().grant(f.viewer.id, {"post", std::to_string(hidden.id)},
                                   GrantLevel::read));
  CHECK(names(must(f.as_viewer.posts().tags())) ==
        std::set<std::string>{"public-tag", "secret-tag"});
  PostQuery query;
  query.order = PostOrder::title_asc;
  std::set<std::string> titles;
  for (const auto& post : must(f.as_viewer.posts().list(query)).items) titles.insert(post.title);
  CHECK(titles == std::set<std::string>{"Hidden", "Open"});
}

TEST_CASE_TEMPLATE("post visibility: search finds what the reader may read, and nothing else", B,
                   QUIRE_TEST_BACKENDS) {
  Readers<B> f;
  auto open = must(f.as_editor.posts().create({.title = "Budget open", .body = "budget"}));
  must(f.as_editor.posts().publish(open.id));
  auto draft = must(f.as_editor.posts().create({.title = "Budget draft", .body = "budget"}));
  auto mine = must(f.as_author.posts().create({.title = "Budget mine", .body = "budget"}));
  const auto found = [](Context& ctx) {
    std::set<PostId> ids;
    for (const auto& hit : must(ctx.posts().search("budget", 50))) ids.insert(hit.post_id);
    return ids;
  };
  CHECK(found(f.as_viewer) == std::set<PostId>{open.id});
  CHECK(found(f.as_author) == std::set<PostId>{open.id, mine.id});
  CHECK(found(f.as_editor) == std::set<PostId>{open.id, draft.id, mine.id});
  must(f.admin.permissions().grant(f.viewer.id, {"post", std::to_string(draft.id)},
                                   GrantLevel::read));
  CHECK(found(f.as_viewer) == std::set<PostId>{open.id, draft.id});
}
