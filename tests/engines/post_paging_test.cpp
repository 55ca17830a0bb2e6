// Post listings at size: keyset pages through 1,000 posts in every order while posts are added
// between pages (every original post once, none twice, in order), and since/until windows on each
// order's time field.

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

constexpr int original_count = 1000;
constexpr unsigned page_limit = 20;

// Every order with its name in the C ABI: a "-" first when it runs newest (or Z) first.
const std::vector<std::pair<PostOrder, std::string>> all_orders = {
    {PostOrder::published_desc, "-published_at"},
    {PostOrder::published_asc, "published_at"},
    {PostOrder::updated_desc, "-updated_at"},
    {PostOrder::updated_asc, "updated_at"},
    {PostOrder::created_desc, "-created_at"},
    {PostOrder::created_asc, "created_at"},
    {PostOrder::title_asc, "title"},
    {PostOrder::title_desc, "-title"}};

bool descending(PostOrder order) {
  const auto found = std::find_if(all_orders.begin(), all_orders.end(),
                                  [&](const auto& entry) { return entry.first == order; });
  return found != all_orders.end() && found->second.front() == '-';
}

bool by_title(PostOrder order) {
  return order == PostOrder::title_asc || order == PostOrder::title_desc;
}

bool by_published(PostOrder order) {
  return order == PostOrder::published_asc || order == PostOrder::published_desc;
}

// The time an order sorts on and since/until filter on (created_at for the title orders); a post
// never published sorts as published at 0.
Timestamp time_key(const Post& post, PostOrder order) {
  if (by_published(order)) return post.published_at.value_or(0);
  if (order == PostOrder::updated_asc || order == PostOrder::updated_desc) return post.updated_at;
  return post.created_at;
}

// Where `a` sorts against `b` going up: by the order's key (titles byte by byte), then by id.
int compare(const Post& a, const Post& b, PostOrder order) {
  if (by_title(order)) {
    const int c = a.title.compare(b.title);
    if (c != 0) return c < 0 ? -1 : 1;
  } else if (time_key(a, order) != time_key(b, order)) {
    return time_key(a, order) < time_key(b, order) ? -1 : 1;
  }
  return a.id < b.id ? -1 : (a.id > b.id ? 1 : 0);
}

// Titles with many ties, capitals, digits and bytes above 0x7f, so the title orders must break
// ties by id and compare bytes.
std::string title_of(int i) {
  static const std::vector<std::string> bases = {"apple",
                                                 "Apple",
                                                 "banana",
                                                 "\xc3\x84rger",
                                                 "zebra",
                                                 "Zebra",
                                                 "\xc3\xa9"
                                                 "clair",
                                                 "10 things",
                                                 "9 lives",
                                                 "apple pie"};
  return bases[static_cast<std::size_t>(i) % bases.size()] + " " + std::to_string(i % 13);
}

// One tenant with an editor and 1,000 posts whose created, published and updated times spread
// over several milliseconds: five batches of creates, then a third of them published and every
// seventh edited, each in batches a little apart.
template <class B>
struct PagingFixture : EngineFixture<B> {
  User editor;
  Context as_editor;
  std::vector<PostId> originals;
  int added = 0;

  PagingFixture() : as_editor(this->system) {
    must(this->system.tenants().create({.slug = "acme", .name = "Acme", .plan = "enterprise"}));
    editor = this->make_user("editor");
    must(this->system.tenants().add_member("acme", editor.id, "editor"));
    as_editor = must(this->db.context("acme", editor.id));
    constexpr int batches = 5;
    for (int batch = 0; batch < batches; ++batch) {
      in_one_transaction([&](Context& tx) -> Result<void> {
        for (int i = batch * original_count / batches; i < (batch + 1) * original_count / batches;
             ++i) {
          QUIRE_TRY(auto post,
                    tx.posts().create({.title = title_of(i), .slug = "p-" + std::to_string(i)}));
          originals.push_back(post.id);
        }
        return success();
      });
    }
    for (int batch = 0; batch < batches; ++batch) {
      in_one_transaction([&](Context& tx) -> Result<void> {
        for (std::size_t i = static_cast<std::size_t>(batch); i < originals.size();
             i += 3 * batches) {
          QUIRE_TRY(tx.posts().publish(originals[i]));
        }
        return success();
      });
    }
    for (int batch = 0; batch < batches; ++batch) {
      in_one_transaction([&](Context& tx) -> Result<void> {
        for (std::size_t i = static_cast<std::size_t>(batch) * 7; i < originals.size();
             i += 7 * batches) {
          QUIRE_TRY(auto post, tx.posts().get(originals[i]));
          QUIRE_TRY(tx.posts().update(post.id, post.version, {.body = "edited"}));
        }
        return success();
      });
    }
  }

  // Runs `body` as one explicit transaction, then waits a little so the next one's times differ.
  void in_one_transaction(const std::function<Result<void>(Context&)>& body) {
    must(this->db.transaction(as_editor, body));
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
  }

  void add_posts(int count) {
    for (int i = 0; i < count; ++i) {
      must(as_editor.posts().create(
          {.title = title_of(added), .slug = "new-" + std::to_string(added)}));
      ++added;
    }
  }

  // Every page of `query` in turn, calling `between` after each page that has a next one.
  std::vector<Post> page_through(PostQuery query, const std::function<void(int)>& between = {}) {
    std::vector<Post> listed;
    for (int page_no = 0;; ++page_no) {
      REQUIRE_MESSAGE(page_no < 1000, "paging does not end");
      auto page = must(as_editor.posts().list(query));
      CHECK(page.items.size() <= query.limit);
      for (auto& post : page.items) listed.push_back(std::move(post));
      if (page.next_cursor.empty()) break;
      CHECK(page.items.size() == query.limit);  // a cursor only when more follow
      query.cursor = page.next_cursor;
      if (between) between(page_no);
    }
    return listed;
  }
};

// Each post in the order the query promised, by (key, id), and none twice.
void check_ordered(const std::vector<Post>& listed, PostOrder order) {
  std::size_t out_of_order = 0;
  std::size_t first_bad = 0;
  for (std::size_t i = 1; i < listed.size(); ++i) {
    const int c = compare(listed[i - 1], listed[i], order);
    if (descending(order) ? c <= 0 : c >= 0) {
      if (out_of_order++ == 0) first_bad = i;
    }
  }
  CHECK_MESSAGE(out_of_order == 0, out_of_order, " posts out of order, the first at position ",
                first_bad);
  std::set<PostId> ids;
  for (const auto& post : listed) ids.insert(post.id);
  CHECK_MESSAGE(ids.size() == listed.size(), (listed.size() - ids.size()), " posts listed twice");
}

}  // namespace

TEST_CASE_TEMPLATE("post paging: every order pages through 1,000 posts while posts are added", B,
                   QUIRE_TEST_BACKENDS) {
  PagingFixture<B> f;
  REQUIRE(f.originals.size() == static_cast<std::size_t>(original_count));
  for (const auto& [order_of_entry, order_name] : all_orders) {
    const PostOrder order = order_of_entry;
    CAPTURE(order_name);
    // One to three new posts after every page: they land before the cursor (newest-first orders)
    // or after it, but never make a post that was there from the start appear twice or not at all.
    const auto listed = f.page_through({.order = order, .limit = page_limit},
                                       [&](int page_no) { f.add_posts(1 + page_no % 3); });
    std::map<PostId, int> seen;
    for (const auto& post : listed) ++seen[post.id];
    std::size_t missing = 0;
    std::size_t twice = 0;
    for (const auto id : f.originals) {
      const auto found = seen.find(id);
      if (found == seen.end()) {
        ++missing;
      } else if (found->second > 1) {
        ++twice;
      }
    }
    CHECK_MESSAGE(missing == 0, missing, " of the original posts never listed");
    CHECK_MESSAGE(twice == 0, twice, " of the original posts listed more than once");
    check_ordered(listed, order);
  }
  CHECK(f.added > 8 * (original_count / static_cast<int>(page_limit)));
}

TEST_CASE_TEMPLATE("post paging: since and until window each order's time field", B,
                   QUIRE_TEST_BACKENDS) {
  PagingFixture<B> f;
  // Everything, read once: what the windows are checked against.
  const auto everything = f.page_through({.order = PostOrder::created_asc, .limit = 1000});
  REQUIRE(everything.size() == static_cast<std::size_t>(original_count));

  for (const auto& [order_of_entry, order_name] : all_orders) {
    const PostOrder order = order_of_entry;
    CAPTURE(order_name);
    // The times the order's field takes (a never-published post has no publication time).
    std::vector<Timestamp> times;
    for (const auto& post : everything) {
      if (!by_published(order) || post.published_at) times.push_back(time_key(post, order));
    }
    std::sort(times.begin(), times.end());
    times.erase(std::unique(times.begin(), times.end()), times.end());
    REQUIRE(times.size() >= 4);
    const Timestamp since = times[times.size() / 4];
    const Timestamp until = times[times.size() * 3 / 4];

    struct Window {
      std::optional<Timestamp> since, until;
    };
    // Until alone on the publication time must leave out the posts never published.
    const std::vector<Window> windows = {
        {since, until}, {since, std::nullopt}, {until, std::nullopt}, {std::nullopt, since}};
    for (const auto& window : windows) {
      CAPTURE(window.since.value_or(-1));
      CAPTURE(window.until.value_or(-1));
      std::set<PostId> expected;
      for (const auto& post : everything) {
        const auto t = time_key(post, order);
        if (by_published(order) && !post.published_at) continue;
        if (window.since && t < *window.since) continue;   // since is inclusive
        if (window.until && t >= *window.until) continue;  // until is exclusive
        expected.insert(post.id);
      }
      REQUIRE_FALSE(expected.empty());
      REQUIRE(expected.size() < everything.size());
      const auto listed = f.page_through(
          {.since = window.since, .until = window.until, .order = order, .limit = page_limit});
      check_ordered(listed, order);
      std::set<PostId> got;
      for (const auto& post : listed) got.insert(post.id);
      CHECK(got.size() == expected.size());
      CHECK(got == expected);
    }
    // The edges: a post exactly at `since` is in, one exactly at `until` out; an empty window is
    // empty.
    const auto at_edge = [&](Timestamp t) {
      return std::find_if(everything.begin(), everything.end(), [&](const Post& post) {
        return time_key(post, order) == t && (!by_published(order) || post.published_at);
      });
    };
    const auto first = at_edge(since);
    const auto last = at_edge(until);
    REQUIRE(first != everything.end());
    REQUIRE(last != everything.end());
    const auto listed = f.page_through({.since = since, .until = until, .order = order});
    const auto has = [&](PostId id) {
      return std::any_of(listed.begin(), listed.end(),
                         [&](const Post& post) { return post.id == id; });
    };
    CHECK(has(first->id));
    CHECK_FALSE(has(last->id));
    CHECK(must(f.as_editor.posts().list({.since = since, .until = since, .order = order}))
              .items.empty());
  }
}
