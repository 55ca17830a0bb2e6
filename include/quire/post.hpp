#pragma once
// The Post engine: the content a tenant keeps — blog posts, pages, documentation trees, portfolio
// entries, profiles — as one engine with content types, hierarchy and custom fields. Every change
// writes a version and an audit entry in the same transaction.

#include <quire/quire_export.h>

#include <memory>
#include <optional>
#include <quire/result.hpp>
#include <quire/types.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace quire {

namespace detail {
struct ContextState;
}

using PostId = std::int64_t;

// draft → in_review → published ⇄ archived; draft/in_review → scheduled → published.
enum class PostStatus : int {
  draft = 0,
  in_review = 1,
  scheduled = 2,
  published = 3,
  archived = 4
};

QUIRE_EXPORT std::string_view post_status_name(PostStatus status) noexcept;
QUIRE_EXPORT std::optional<PostStatus> parse_post_status(std::string_view name) noexcept;

struct Post {
  PostId id = 0;
  TenantId tenant_id = 0;
  std::string type = "post";  // free text: post, page, doc, …
  std::optional<PostId> parent_id;
  std::string slug;  // unique per tenant and type
  std::string title;
  std::string body;     // Markdown, stored as given
  std::string excerpt;  // given, or derived from the body
  PostStatus status = PostStatus::draft;
  UserId author_id = 0;  // 0 when the system context wrote it
  std::optional<std::string> category;
  std::vector<std::string> tags;
  std::string seo = "{}";     // a JSON object
  std::string fields = "{}";  // a JSON object: custom fields
  std::int64_t version = 1;   // the number of the newest version; what update() expects
  std::optional<std::int64_t> published_version;  // the version that is live, if any
  std::int64_t reading_time = 0;                  // minutes: words ÷ 200, rounded up
  std::int64_t view_count = 0;
  Timestamp created_at = 0;
  Timestamp updated_at = 0;
  std::optional<Timestamp> published_at;
  std::optional<Timestamp> scheduled_at;
  std::optional<Timestamp> deleted_at;
};

struct NewPost {
  std::string title;
  std::string body;
  std::string type = "post";
  std::string slug;                       // empty: made from the title
  PostStatus status = PostStatus::draft;  // draft or in_review; publish() publishes
  std::vector<std::string> tags;
  std::optional<std::string> category;
  std::optional<std::string> excerpt;
  std::string seo = "{}";
  std::string fields = "{}";
  std::optional<PostId> parent_id;
};

// A partial update: only the fields that hold a value change.
struct PostPatch {
  std::optional<std::string> title;
  std::optional<std::string> body;
  std::optional<std::string> slug;  // the old slug keeps resolving
  std::optional<std::vector<std::string>> tags;
  std::optional<std::optional<std::string>> category;  // {std::nullopt} clears it
  std::optional<std::optional<std::string>> excerpt;   // {std::nullopt}: derive from the body
  std::optional<std::string> seo;
  std::optional<std::string> fields;
  std::optional<std::optional<PostId>> parent_id;
};

enum class PostOrder : int {
  published_desc = 0,
  published_asc = 1,
  updated_desc = 2,
  updated_asc = 3,
  created_desc = 4,
  created_asc = 5,
  title_asc = 6,
  title_desc = 7,
};

struct PostQuery {
  std::optional<std::string> type;
  std::optional<PostStatus> status;
  std::optional<UserId> author_id;
  std::optional<std::string> category;
  std::optional<std::string> tag;
  std::optional<std::optional<PostId>> parent_id;  // {std::nullopt}: top-level posts only
  std::optional<Timestamp> since;  // on the order's time field (created for title orders)
  std::optional<Timestamp> until;
  bool deleted = false;  // true: the trash
  PostOrder order = PostOrder::published_desc;
  unsigned limit = 20;  // 1..1000
  std::string cursor;
};

struct SearchHit {
  PostId post_id = 0;
  std::string type;
  std::string slug;
  std::string title;
  std::string snippet;  // the best fragment, matches between "[" and "]"
  double score = 0;     // higher is better
};

struct TermCount {
  std::string name;
  std::int64_t count = 0;  // posts (not deleted) carrying it
};

enum class FeedFormat : int { rss = 0, atom = 1 };  // RSS 2.0, Atom 1.0 (RFC 4287)

// Reached through Context::posts(); acts in the context's tenant. Viewers see published posts;
// contributors and authors write their own; editors and above write everyone's.
class QUIRE_EXPORT PostEngine {
 public:
  explicit PostEngine(std::shared_ptr<detail::ContextState> ctx) noexcept;

  // Errors: invalid_argument (a field and its rule), already_exists (slug), not_found (parent),
  // quota_exceeded (the plan's posts), permission_denied.
  [[nodiscard]] Result<Post> create(const NewPost& input) noexcept;
  // Errors: not_found (also for a post of another tenant, or in the trash).
  [[nodiscard]] Result<Post> get(PostId id) noexcept;
  // Resolves old slugs too, after a rename.
  [[nodiscard]] Result<Post> get_by_slug(std::string_view slug,
                                         std::string_view type = "post") noexcept;
  // Counts one view: view_count goes up by one, in a transaction of its own. Needs what get() needs
  // (post.read, a post the context may see, not in the trash). A counter, not an edit: it writes
  // no version and no audit entry, and leaves version and updated_at as they were.
  [[nodiscard]] Result<Post> record_view(PostId id) noexcept;
  // Errors: conflict when expected_version is not the current version (the message names it).
  [[nodiscard]] Result<Post> update(PostId id, std::int64_t expected_version,
                                    const PostPatch& patch) noexcept;

  // Workflow. An invalid transition fails with invalid_argument naming both states.
  [[nodiscard]] Result<Post> submit(PostId id) noexcept;                  // draft → in_review
  [[nodiscard]] Result<Post> publish(PostId id) noexcept;                 // → published
  [[nodiscard]] Result<Post> unpublish(PostId id) noexcept;               // → draft
  [[nodiscard]] Result<Post> archive(PostId id) noexcept;                 // published → archived
  [[nodiscard]] Result<Post> schedule(PostId id, Timestamp at) noexcept;  // → scheduled
  // Publishes the scheduled posts of the tenant whose time has come; returns them.
  [[nodiscard]] Result<std::vector<Post>> publish_due(Timestamp now) noexcept;

  [[nodiscard]] Result<Post> remove(PostId id) noexcept;   // to the trash
  [[nodiscard]] Result<Post> restore(PostId id) noexcept;  // out of the trash
  // Removes the post, its versions and slugs for good; the audit trail keeps the fact.
  [[nodiscard]] Result<void> purge(PostId id) noexcept;

  // Listed posts carry no body (read one with get); everything else is there. A listing, a search
  // and the counts of categories and tags hold only posts the actor may read: everything for those
  // with post.update (post.delete in the trash); for the others the published posts, their own
  // when they hold post.update.own (in the trash: their own), and those granted to them. Pages are
  // full whenever more follows, and a cursor only ever holds the key of a visible post.
  [[nodiscard]] Result<Page<Post>> list(const PostQuery& query = {}) noexcept;
  // Full-text search over title and body, ranked (a title match above a body-only one). Words
  // must all match; "a phrase" matches in order; word* matches a prefix. Any text is safe.
  // Errors: invalid_argument (empty, NUL, invalid UTF-8, longer than 1 KiB).
  [[nodiscard]] Result<std::vector<SearchHit>> search(std::string_view query,
                                                      unsigned limit = 20) noexcept;
  [[nodiscard]] Result<std::vector<TermCount>> categories() noexcept;
  [[nodiscard]] Result<std::vector<TermCount>> tags() noexcept;

  // Feeds and the sitemap hold published posts only, whoever asks (post.read), never deleted ones.
  // Links are absolute, from the tenant's base URL: its setting "base_url" (an http or https URL;
  // a "/" is added at the end when missing), else https://<domain>/. A post's link is the base
  // URL, then "<type>/" unless the type is "post", then the slug. Errors: invalid_argument when
  // the tenant has neither, or base_url is not an http(s) URL (the message names base_url).
  //
  // The newest `limit` (1..1000) published posts as RSS 2.0 (dates RFC 822) or Atom 1.0 (dates
  // RFC 3339), with titles, links, excerpts, categories and tags, XML-escaped.
  [[nodiscard]] Result<std::string> feed(FeedFormat format = FeedFormat::rss,
                                         unsigned limit = 20) noexcept;
  // sitemap.xml (sitemaps.org 0.9): every published post with its lastmod, newest first, up to
  // the protocol's 50,000 URLs per file.
  [[nodiscard]] Result<std::string> sitemap() noexcept;

 private:
  std::shared_ptr<detail::ContextState> ctx_;
};

}  // namespace quire
