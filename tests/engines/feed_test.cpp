// RSS 2.0, Atom 1.0 and sitemap.xml of a tenant's published posts: parsed back with expat, they
// hold only the tenant's published, undeleted posts, escape what they must, write their dates as
// RFC 822 and RFC 3339, and link from the tenant's base URL.

#include <expat.h>

#include <ctime>
#include <map>
#include <memory>
#include <set>

#include "support/engine_fixture.hpp"

using namespace quire;
using namespace quire::test;

namespace {

// ---- a small DOM over expat ---------------------------------------------------------------------

struct Node {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // character data directly inside, concatenated
  std::vector<std::unique_ptr<Node>> children;
  Node* parent = nullptr;

  std::vector<const Node*> all(const std::string& child_name) const {
    std::vector<const Node*> found;
    for (const auto& child : children) {
      if (child->name == child_name) found.push_back(child.get());
    }
    return found;
  }
  const Node& one(const std::string& child_name) const {
    const auto found = all(child_name);
    REQUIRE_MESSAGE(found.size() == 1, "expected one <", child_name, "> in <", name, ">");
    return *found.front();
  }
  std::string attribute(const std::string& key) const {
    const auto found = attributes.find(key);
    return found == attributes.end() ? std::string() : found->second;
  }
};

struct Builder {
  std::unique_ptr<Node> root;
  Node* at = nullptr;
};

void XMLCALL on_start(void* data, const XML_Char* name, const XML_Char** attributes) {
  auto& b = *static_cast<Builder*>(data);
  auto node = std::make_unique<Node>();
  node->name = name;
  for (int i = 0; attributes[i] != nullptr; i += 2)
    node->attributes[attributes[i]] = attributes[i + 1];
  node->parent = b.at;
  Node* raw = node.get();
  if (b.at == nullptr) {
    b.root = std::move(node);
  } else {
    b.at->children.push_back(std::move(node));
  }
  b.at = raw;
}

void XMLCALL on_end(void* data, const XML_Char*) {
  auto& b = *static_cast<Builder*>(data);
  b.at = b.at->parent;
}

void XMLCALL on_text(void* data, const XML_Char* text, int size) {
  auto& b = *static_cast<Builder*>(data);
  if (b.at != nullptr) b.at->text.append(text, static_cast<std::size_t>(size));
}

// Parses `xml` (which must be well-formed) into its root element.
std::unique_ptr<Node> parse_xml(const std::string& xml) {
  Builder builder;
  XML_Parser parser = XML_ParserCreate("UTF-8");
  REQUIRE(parser != nullptr);
  XML_SetUserData(parser, &builder);
  XML_SetElementHandler(parser, on_start, on_end);
  XML_SetCharacterDataHandler(parser, on_text);
  const auto status = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), 1);
  const std::string error =
      status == XML_STATUS_OK ? std::string()
                              : std::string(XML_ErrorString(XML_GetErrorCode(parser))) +
                                    " at line " + std::to_string(XML_GetCurrentLineNumber(parser));
  XML_ParserFree(parser);
  REQUIRE_MESSAGE(status == XML_STATUS_OK, "not well-formed XML: ", error, "\n", xml);
  REQUIRE(builder.root != nullptr);
  return std::move(builder.root);
}

// ---- the documents' parts
// -------------------------------------------------------------------------

struct Feeds {
  std::unique_ptr<Node> rss, atom, sitemap;
};

Feeds read_feeds(Context& ctx, unsigned limit = 20) {
  Feeds feeds;
  feeds.rss = parse_xml(must(ctx.posts().feed(FeedFormat::rss, limit)));
  feeds.atom = parse_xml(must(ctx.posts().feed(FeedFormat::atom, limit)));
  feeds.sitemap = parse_xml(must(ctx.posts().sitemap()));
  REQUIRE(feeds.rss->name == "rss");
  CHECK(feeds.rss->attribute("version") == "2.0");
  REQUIRE(feeds.atom->name == "feed");
  CHECK(feeds.atom->attribute("xmlns") == "http://www.w3.org/2005/Atom");
  REQUIRE(feeds.sitemap->name == "urlset");
  CHECK(feeds.sitemap->attribute("xmlns") == "http://www.sitemaps.org/schemas/sitemap/0.9");
  return feeds;
}

std::vector<const Node*> rss_items(const Feeds& feeds) {
  return feeds.rss->one("channel").all("item");
}

// The links each document holds, as sets.
std::set<std::string> rss_links(const Feeds& feeds) {
  std::set<std::string> links;
  for (const auto* item : rss_items(feeds)) links.insert(item->one("link").text);
  return links;
}
std::set<std::string> atom_links(const Feeds& feeds) {
  std::set<std::string> links;
  for (const auto* entry : feeds.atom->all("entry"))
    links.insert(entry->one("link").attribute("href"));
  return links;
}
std::set<std::string> sitemap_links(const Feeds& feeds) {
  std::set<std::string> links;
  for (const auto* url : feeds.sitemap->all("url")) links.insert(url->one("loc").text);
  return links;
}

std::string rfc822_of(Timestamp t) {
  const std::time_t seconds = t / 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &tm);  // the C locale's names
  return text;
}

template <class B>
struct FeedFixture : EngineFixture<B> {
  User editor, viewer;
  Context acme, as_editor, as_viewer;

  FeedFixture() : acme(this->system), as_editor(this->system), as_viewer(this->system) {
    must(this->system.tenants().create(
        {.slug = "acme", .name = "Acme & Sons", .plan = "enterprise", .domain = "acme.example"}));
    editor = this->make_user("editor");
    viewer = this->make_user("viewer");
    must(this->system.tenants().add_member("acme", editor.id, "editor"));
    must(this->system.tenants().add_member("acme", viewer.id, "viewer"));
    acme = must(this->db.system("acme"));
    as_editor = must(this->db.context("acme", editor.id));
    as_viewer = must(this->db.context("acme", viewer.id));
  }

  Post published(Context& ctx, const NewPost& input) {
    auto post = must(ctx.posts().create(input));
    return must(ctx.posts().publish(post.id));
  }
};

}  // namespace

TEST_CASE_TEMPLATE("posts: feeds hold only the tenant's published, undeleted posts", B,
                   QUIRE_TEST_BACKENDS) {
  FeedFixture<B> f;
  const auto first = f.published(f.as_editor, {.title = "First light", .body = "Morning."});
  const auto about =
      f.published(f.as_editor, {.title = "About us", .body = "Who we are.", .type = "page"});
  must(f.as_editor.posts().create({.title = "A draft", .body = "unfinished"}));
  auto review = must(f.as_editor.posts().create({.title = "In review", .body = "soon"}));
  must(f.as_editor.posts().submit(review.id));
  auto trashed = f.published(f.as_editor, {.title = "Trashed", .body = "gone"});
  must(f.as_editor.posts().remove(trashed.id));
  auto archived = f.published(f.as_editor, {.title = "Archived", .body = "old"});
  must(f.as_editor.posts().archive(archived.id));
  auto scheduled = must(f.as_editor.posts().create({.title = "Scheduled", .body = "later"}));
  must(f.as_editor.posts().schedule(scheduled.id, now_ms() + Timestamp{3600} * 1000));
  auto unpublished = f.published(f.as_editor, {.title = "Unpublished", .body = "back to draft"});
  must(f.as_editor.posts().unpublish(unpublished.id));

  must(f.system.tenants().create(
      {.slug = "rival", .name = "Rival", .plan = "enterprise", .domain = "rival.example"}));
  auto rival = must(f.db.system("rival"));
  const auto theirs = f.published(rival, {.title = "Rival news", .body = "theirs"});

  const std::set<std::string> expected = {"https://acme.example/" + first.slug,
                                          "https://acme.example/page/" + about.slug};
  // Editors see drafts everywhere else; feeds are public documents, so not here.
  for (Context* ctx : {&f.as_editor, &f.as_viewer, &f.acme}) {
    const auto feeds = read_feeds(*ctx);
    CHECK(rss_links(feeds) == expected);
    CHECK(atom_links(feeds) == expected);
    CHECK(sitemap_links(feeds) == expected);
    std::set<std::string> titles;
    for (const auto* item : rss_items(feeds)) titles.insert(item->one("title").text);
    CHECK(titles == std::set<std::string>{"First light", "About us"});
  }
  // The rival's feeds hold the rival's post alone, and acme's never show it.
  const auto rival_feeds = read_feeds(rival);
  const std::set<std::string> rival_only = {"https://rival.example/" + theirs.slug};
  CHECK(rss_links(rival_feeds) == rival_only);
  CHECK(atom_links(rival_feeds) == rival_only);
  CHECK(sitemap_links(rival_feeds) == rival_only);
  CHECK(must(f.acme.posts().feed()).find("Rival news") == std::string::npos);
  CHECK(must(f.acme.posts().sitemap()).find("rival.example") == std::string::npos);

  // Restoring from the trash brings a published post back; the limit cuts to the newest.
  must(f.as_editor.posts().restore(trashed.id));
  CHECK(rss_links(read_feeds(f.as_viewer)).size() == 3);
  const auto one = read_feeds(f.as_viewer, 1);
  REQUIRE(rss_items(one).size() == 1);
  CHECK(one.atom->all("entry").size() == 1);
  CHECK(one.sitemap->all("url").size() == 3);  // the sitemap has no limit

  expect_error(f.acme.posts().feed(FeedFormat::rss, 0), Errc::invalid_argument);
  expect_error(f.acme.posts().feed(FeedFormat::atom, 1001), Errc::invalid_argument);
  expect_error(f.acme.posts().feed(static_cast<FeedFormat>(7)), Errc::invalid_argument);
  expect_error(f.system.posts().feed(), Errc::invalid_argument);  // no tenant
}

TEST_CASE_TEMPLATE("posts: feeds escape markup and write RFC 822 and RFC 3339 dates", B,
                   QUIRE_TEST_BACKENDS) {
  FeedFixture<B> f;
  const std::string title = "Tom & Jerry <b>\"quoted\"</b> 'single' ]]> &amp;";
  const std::string category = "R&D <\"lab\">";
  const auto post = f.published(f.as_editor, {.title = title,
                                              .body = "Body with \x01 control \x1f bytes & <tags>.",
                                              .tags = {"a&b", "<c>", "\"d\"", "e'f"},
                                              .category = category});
  const std::string rss_text = must(f.as_viewer.posts().feed(FeedFormat::rss));
  const std::string atom_text = must(f.as_viewer.posts().feed(FeedFormat::atom));
  for (const auto* text : {&rss_text, &atom_text}) {
    CHECK(text->find("<b>") == std::string::npos);
    CHECK(text->find("&lt;b&gt;&quot;quoted&quot;&lt;/b&gt; &apos;single&apos; ]]&gt; &amp;amp;") !=
          std::string::npos);
    CHECK(text->find('\x01') == std::string::npos);
  }
  const auto feeds = read_feeds(f.as_viewer);

  // RSS: the title and categories come back exactly; the channel's title is escaped too.
  const auto& channel = feeds.rss->one("channel");
  CHECK(channel.one("title").text == "Acme & Sons");
  CHECK(channel.one("link").text == "https://acme.example/");
  const auto items = rss_items(feeds);
  REQUIRE(items.size() == 1);
  const auto& item = *items.front();
  CHECK(item.one("title").text == title);
  CHECK(item.one("link").text == "https://acme.example/" + post.slug);
  CHECK(item.one("guid").attribute("isPermaLink") == "false");
  CHECK(item.one("guid").text.rfind("tag:acme.example,", 0) == 0);
  CHECK(item.one("description").text.find("control") != std::string::npos);
  std::set<std::string> categories;
  for (const auto* node : item.all("category")) categories.insert(node->text);
  CHECK(categories == std::set<std::string>{category, "a&b", "<c>", "\"d\"", "e'f"});
  // RFC 822 with a four-digit year, in UTC: "Mon, 23 Nov 2026 14:07:08 +0000".
  REQUIRE(post.published_at.has_value());
  CHECK(item.one("pubDate").text == rfc822_of(*post.published_at));
  CHECK(channel.one("lastBuildDate").text == rfc822_of(*post.published_at));

  // Atom: the same post, dates in RFC 3339, categories as attributes.
  const auto entries = feeds.atom->all("entry");
  REQUIRE(entries.size() == 1);
  const auto& entry = *entries.front();
  CHECK(feeds.atom->one("title").text == "Acme & Sons");
  CHECK(feeds.atom->one("id").text == "https://acme.example/");
  CHECK(feeds.atom->one("author").one("name").text == "Acme & Sons");
  CHECK(entry.one("title").text == title);
  CHECK(entry.one("id").text == item.one("guid").text);  // one permanent id in both
  CHECK(entry.one("link").attribute("href") == "https://acme.example/" + post.slug);
  CHECK(parse_rfc3339(entry.one("published").text) == post.published_at);
  const auto updated = parse_rfc3339(entry.one("updated").text);
  REQUIRE(updated.has_value());
  CHECK(*updated >= *post.published_at);
  CHECK(parse_rfc3339(feeds.atom->one("updated").text) == updated);
  CHECK(entry.one("published").text.back() == 'Z');
  std::set<std::string> terms;
  for (const auto* node : entry.all("category")) terms.insert(node->attribute("term"));
  CHECK(terms == categories);

  // The sitemap: the link and when it last changed.
  const auto urls = feeds.sitemap->all("url");
  REQUIRE(urls.size() == 1);
  CHECK(urls.front()->one("loc").text == "https://acme.example/" + post.slug);
  CHECK(parse_rfc3339(urls.front()->one("lastmod").text) == updated);

  // A feed with no posts is still a valid document.
  must(f.system.tenants().create({.slug = "empty", .name = "Empty", .domain = "empty.example"}));
  auto empty = must(f.db.system("empty"));
  const auto none = read_feeds(empty);
  CHECK(rss_items(none).empty());
  CHECK(none.atom->all("entry").empty());
  CHECK(parse_rfc3339(none.atom->one("updated").text).has_value());
  CHECK(none.sitemap->all("url").empty());
}

TEST_CASE_TEMPLATE("posts: feed links come from base_url, else the domain, else nothing", B,
                   QUIRE_TEST_BACKENDS) {
  FeedFixture<B> f;
  const auto post = f.published(f.acme, {.title = "Hello"});
  const auto doc = f.published(f.acme, {.title = "Install", .type = "doc"});
  const auto set_settings = [&](const std::string& settings) {
    must(f.system.tenants().update("acme", {.settings = settings}));
  };

  // base_url wins over the domain; a missing '/' at the end is added; scheme and host fold case.
  set_settings(R"({"base_url": "HTTPS://Blog.Example:8443/news"})");
  auto feeds = read_feeds(f.as_viewer);
  const std::set<std::string> under_news = {"https://blog.example:8443/news/" + post.slug,
                                            "https://blog.example:8443/news/doc/" + doc.slug};
  CHECK(rss_links(feeds) == under_news);
  CHECK(atom_links(feeds) == under_news);
  CHECK(sitemap_links(feeds) == under_news);
  CHECK(feeds.rss->one("channel").one("link").text == "https://blog.example:8443/news/");
  set_settings(R"({"base_url": "http://plain.example/", "description": "All the <news>"})");
  feeds = read_feeds(f.as_viewer);
  CHECK(sitemap_links(feeds) == std::set<std::string>{"http://plain.example/" + post.slug,
                                                      "http://plain.example/doc/" + doc.slug});
  CHECK(feeds.rss->one("channel").one("description").text == "All the <news>");

  // Not an http(s) URL: refused, naming the setting.
  for (const std::string bad :
       {R"("ftp://files.example/")", R"x("javascript:alert(1)")x", R"("https://")",
        R"("https:///path")", R"("//acme.example/")", R"("acme.example")", R"("")",
        R"("https://acme.example/?page=1")", R"("https://acme.example/#top")",
        R"("https://ac me.example/")", R"("https://acme.example/a b")",
        R"("https://user@acme.example/")", R"("https://acme.example:http/")",
        R"("https://acme.example/\"><script>")", R"("https://acme.example/\u0000")", "42",
        R"(["https://acme.example/"])"}) {
    CAPTURE(bad);
    set_settings(R"({"base_url": )" + bad + "}");
    CHECK(expect_error(f.as_viewer.posts().feed(), Errc::invalid_argument).find("base_url") !=
          std::string::npos);
    CHECK(expect_error(f.as_viewer.posts().feed(FeedFormat::atom), Errc::invalid_argument)
              .find("base_url") != std::string::npos);
    CHECK(expect_error(f.as_viewer.posts().sitemap(), Errc::invalid_argument).find("base_url") !=
          std::string::npos);
  }

  // No base_url (or a null one): https://<domain>/.
  for (const std::string settings : {"{}", R"({"base_url": null})"}) {
    set_settings(settings);
    CHECK(sitemap_links(read_feeds(f.as_viewer)) ==
          std::set<std::string>{"https://acme.example/" + post.slug,
                                "https://acme.example/doc/" + doc.slug});
  }
  // Neither: nothing to link to, and the message says what to set.
  must(f.system.tenants().update("acme", {.domain = std::optional<std::string>()}));
  const auto message = expect_error(f.as_viewer.posts().feed(), Errc::invalid_argument);
  CHECK(message.find("base_url") != std::string::npos);
  expect_error(f.as_viewer.posts().sitemap(), Errc::invalid_argument);
}
