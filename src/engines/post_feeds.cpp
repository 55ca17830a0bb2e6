// The Post engine's feeds: RSS 2.0, Atom 1.0 (RFC 4287) and sitemap.xml of a tenant's published
// posts, with absolute links from the tenant's base URL.

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <quire/post.hpp>
#include <quire/time.hpp>

#include "core/json.hpp"
#include "core/validate.hpp"
#include "engines/lookup.hpp"
#include "engines/post_rules.hpp"
#include "engines/unit_of_work.hpp"

namespace quire {

using detail::Json;
using detail::read_unit;
using detail::Unit;

namespace {

constexpr std::size_t max_base_url_bytes = 2000;
constexpr std::size_t max_sitemap_urls = 50000;  // sitemaps.org: per file
constexpr unsigned sitemap_batch = 1000;

// ---- XML ----------------------------------------------------------------------------------------

// `text` as XML character data or an attribute value: the five special characters escaped, and the
// characters XML 1.0 does not allow at all (C0 controls but tab, LF and CR; U+FFFE, U+FFFF)
// dropped. The text is valid UTF-8: quire checks everything it stores.
void append_xml(std::string& out, std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    switch (c) {
      case '<':
        out += "&lt;";
        continue;
      case '>':
        out += "&gt;";
        continue;
      case '&':
        out += "&amp;";
        continue;
      case '"':
        out += "&quot;";
        continue;
      case '\'':
        out += "&apos;";
        continue;
      case '\t':
      case '\n':
      case '\r':
        out += static_cast<char>(c);
        continue;
      default:
        break;
    }
    if (c < 0x20) continue;
    if (c == 0xEF && i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xBF &&
        (static_cast<unsigned char>(text[i + 2]) & 0xFE) == 0xBE) {
      i += 2;  // U+FFFE or U+FFFF
      continue;
    }
    out += static_cast<char>(c);
  }
}

// <name>text</name>
void append_element(std::string& out, std::string_view name, std::string_view text) {
  out += '<';
  out += name;
  out += '>';
  append_xml(out, text);
  out += "</";
  out += name;
  out += ">\n";
}

// ---- dates --------------------------------------------------------------------------------------

std::tm utc_time(Timestamp t) {
  // Floor division, so that times before 1970 land in the right second.
  const auto seconds = static_cast<std::time_t>(t / 1000 - (t % 1000 < 0 ? 1 : 0));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return tm;
}

// RFC 822 (with RFC 1123's four-digit year), as RSS 2.0 wants: "Mon, 23 Nov 2026 14:07:08 +0000".
std::string rfc822(Timestamp t) {
  static constexpr std::array<const char*, 7> days = {"Sun", "Mon", "Tue", "Wed",
                                                      "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto tm = utc_time(t);
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
                     days[static_cast<std::size_t>(tm.tm_wday)], tm.tm_mday,
                     months[static_cast<std::size_t>(tm.tm_mon)], tm.tm_year + 1900, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

std::string day_of(Timestamp t) {
  const auto tm = utc_time(t);
  return fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// ---- links --------------------------------------------------------------------------------------

struct Site {
  std::string base;  // absolute, ends with '/'
  std::string host;  // for the tag: URIs that identify posts in Atom and RSS
};

bool is_host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

// Characters a URL path may hold as they are (RFC 3986 pchar, '/', and '%' of an escape).
bool is_path_char(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("-._~!$&'()*+,;=:@/%").find(c) != std::string_view::npos;
}

Result<Site> parse_base_url(std::string_view url) {
  const auto refuse = [&](std::string_view why) {
    return fail(Errc::invalid_argument,
                fmt::format("tenant setting base_url must be an absolute http or https URL "
                            "without query or fragment ({}), got {}",
                            why, detail::quoted(url)));
  };
  if (url.size() > max_base_url_bytes) return refuse("too long");
  std::string text(url);
  std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string::npos) return refuse("no scheme");
  std::transform(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(scheme_end), text.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; });
  const auto scheme = std::string_view(text).substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return refuse("the scheme is not http or https");
  const std::size_t host_begin = scheme_end + 3;
  std::size_t host_end = host_begin;
  while (host_end < text.size() && text[host_end] != '/' && text[host_end] != ':') {
    char& c = text[host_end];
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
    if (!is_host_char(c)) return refuse("the host must be a name of [a-z0-9.-]");
    ++host_end;
  }
  if (host_end == host_begin) return refuse("no host");
  std::size_t path_begin = host_end;
  if (path_begin < text.size() && text[path_begin] == ':') {  // a port
    ++path_begin;
    const auto digits = path_begin;
    while (path_begin < text.size() && text[path_begin] >= '0' && text[path_begin] <= '9') {
      ++path_begin;
    }
    if (path_begin == digits || path_begin - digits > 5) return refuse("a bad port");
  }
  for (std::size_t i = path_begin; i < text.size(); ++i) {
    if (!is_path_char(text[i])) {
      return refuse(text[i] == '?' || text[i] == '#' ? "a query or fragment"
                                                     : "a character that needs escaping");
    }
  }
  if (path_begin < text.size() && text[path_begin] != '/') return refuse("a bad path");
  auto host = text.substr(host_begin, host_end - host_begin);
  if (text.back() != '/') text += '/';
  return Site{std::move(text), std::move(host)};
}

// The tenant's base URL: its setting base_url (null counts as unset), else https://<domain>/.
Result<Site> site_of(const Tenant& tenant) {
  const auto settings = Json::parse(tenant.settings, nullptr, false);
  if (settings.is_object()) {
    const auto found = settings.find("base_url");
    if (found != settings.end() && !found->is_null()) {
      if (!found->is_string()) {
        return fail(Errc::invalid_argument,
                    "tenant setting base_url must be an absolute http or https URL (a string)");
      }
      return parse_base_url(found->get<std::string>());
    }
  }
  if (tenant.domain && !tenant.domain->empty()) {
    return Site{"https://" + *tenant.domain + "/", *tenant.domain};
  }
  return fail(Errc::invalid_argument,
              fmt::format("tenant {} has no base URL for links: set its setting base_url (an "
                          "http or https URL) or its domain",
                          detail::quoted(tenant.slug)));
}

std::string link_of(const Site& site, const Post& post) {
  return site.base + (post.type == "post" ? "" : post.type + "/") + post.slug;
}

// A permanent identifier (RFC 4151 tag: URI) that survives renames, unlike the link.
std::string id_of(const Site& site, const Post& post) {
  return fmt::format("tag:{},{}:post/{}", site.host, day_of(post.created_at), post.id);
}

// When the post last changed as readers see it.
Timestamp modified_of(const Post& post) {
  return std::max(post.updated_at, post.published_at.value_or(0));
}

std::string description_of(const Tenant& tenant) {
  const auto settings = Json::parse(tenant.settings, nullptr, false);
  if (settings.is_object()) {
    const auto found = settings.find("description");
    if (found != settings.end() && found->is_string()) return found->get<std::string>();
  }
  return tenant.name;
}

// ---- the documents ------------------------------------------------------------------------------

std::string rss(const Tenant& tenant, const Site& site, const std::vector<Post>& posts) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n";
  append_element(out, "title", tenant.name);
  append_element(out, "link", site.base);
  append_element(out, "description", description_of(tenant));
  append_element(out, "lastBuildDate",
                 rfc822(posts.empty() ? tenant.updated_at : *posts.front().published_at));
  append_element(out, "generator", "quire");
  for (const auto& post : posts) {
    out += "<item>\n";
    append_element(out, "title", post.title);
    append_element(out, "link", link_of(site, post));
    out += "<guid isPermaLink=\"false\">";
    append_xml(out, id_of(site, post));
    out += "</guid>\n";
    append_element(out, "pubDate", rfc822(*post.published_at));
    if (!post.excerpt.empty()) append_element(out, "description", post.excerpt);
    if (post.category) append_element(out, "category", *post.category);
    for (const auto& tag : post.tags) append_element(out, "category", tag);
    out += "</item>\n";
  }
  out += "</channel>\n</rss>\n";
  return out;
}

std::string atom(const Tenant& tenant, const Site& site, const std::vector<Post>& posts) {
  Timestamp updated = posts.empty() ? tenant.updated_at : 0;
  for (const auto& post : posts) updated = std::max(updated, modified_of(post));
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  append_element(out, "id", site.base);
  append_element(out, "title", tenant.name);
  append_element(out, "subtitle", description_of(tenant));
  append_element(out, "updated", format_rfc3339(updated));
  out += R"(<link rel="alternate" href=")";
  append_xml(out, site.base);
  out += "\"/>\n<author><name>";
  append_xml(out, tenant.name);
  out += "</name></author>\n";
  append_element(out, "generator", "quire");
  for (const auto& post : posts) {
    out += "<entry>\n";
    append_element(out, "id", id_of(site, post));
    append_element(out, "title", post.title);
    out += R"(<link rel="alternate" href=")";
    append_xml(out, link_of(site, post));
    out += "\"/>\n";
    append_element(out, "published", format_rfc3339(*post.published_at));
    append_element(out, "updated", format_rfc3339(modified_of(post)));
    if (!post.excerpt.empty()) append_element(out, "summary", post.excerpt);
    const auto category = [&](const std::string& term) {
      out += "<category term=\"";
      append_xml(out, term);
      out += "\"/>\n";
    };
    if (post.category) category(*post.category);
    for (const auto& tag : post.tags) category(tag);
    out += "</entry>\n";
  }
  out += "</feed>\n";
  return out;
}

std::string sitemap_xml(const Site& site, const std::vector<Post>& posts) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  for (const auto& post : posts) {
    out += "<url><loc>";
    append_xml(out, link_of(site, post));
    out += "</loc><lastmod>";
    out += format_rfc3339(modified_of(post));
    out += "</lastmod></url>\n";
  }
  out += "</urlset>\n";
  return out;
}

// Published posts, not in the trash, newest first: up to `limit`, read in batches.
Result<std::vector<Post>> published_posts(Unit& unit, TenantId tenant, std::size_t limit) {
  storage::PostScan scan;
  scan.status = PostStatus::published;
  scan.order = PostOrder::published_desc;
  std::vector<Post> posts;
  while (posts.size() < limit) {
    scan.limit = static_cast<unsigned>(std::min<std::size_t>(sitemap_batch, limit - posts.size()));
    QUIRE_TRY(auto batch, unit.tx().posts().list(tenant, scan));
    const bool last = batch.size() < scan.limit;
    for (auto& post : batch) {
      // Published posts have a publication time; one without is not shown rather than guessed.
      if (post.status == PostStatus::published && post.published_at && !post.deleted_at) {
        posts.push_back(std::move(post));
      }
    }
    if (last || batch.empty()) break;
    scan.after_key = batch.back().published_at.value_or(0);
    scan.after_id = batch.back().id;
  }
  return posts;
}

}  // namespace

Result<std::string> PostEngine::feed(FeedFormat format, unsigned limit) noexcept {
  QUIRE_TRY(detail::check_limit(limit));
  if (format != FeedFormat::rss && format != FeedFormat::atom) {
    return fail(Errc::invalid_argument, "format must be rss or atom");
  }
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::string> {
    QUIRE_TRY(detail::require_role(unit, tenant, "post.read", "post.feed"));
    QUIRE_TRY(const auto record, detail::find_tenant(unit.tx(), tenant));
    QUIRE_TRY(const auto site, site_of(record));
    QUIRE_TRY(const auto posts, published_posts(unit, tenant, limit));
    return format == FeedFormat::atom ? atom(record, site, posts) : rss(record, site, posts);
  });
}

Result<std::string> PostEngine::sitemap() noexcept {
  QUIRE_TRY(const auto tenant, detail::tenant_of(*ctx_, "posts"));
  return read_unit(*ctx_, [&](Unit& unit) -> Result<std::string> {
    QUIRE_TRY(detail::require_role(unit, tenant, "post.read", "post.sitemap"));
    QUIRE_TRY(const auto record, detail::find_tenant(unit.tx(), tenant));
    QUIRE_TRY(const auto site, site_of(record));
    QUIRE_TRY(const auto posts, published_posts(unit, tenant, max_sitemap_urls));
    return sitemap_xml(site, posts);
  });
}

}  // namespace quire
