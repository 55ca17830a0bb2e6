#include "storage/rows/post_row.hpp"

#include "core/json.hpp"

namespace quire::storage::rows {

std::vector<std::string> parse_tags(std::string_view text) {
  std::vector<std::string> tags;
  // The common case, as dump_json writes it: ["a","b"] with no escapes, read in place.
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']' &&
      text.find('\\') == std::string_view::npos) {
    std::size_t i = 1;
    bool plain = true;
    while (plain && i + 1 < text.size()) {
      const auto close = text[i] == '"' ? text.find('"', i + 1) : std::string_view::npos;
      if (close == std::string_view::npos) {
        plain = false;
        break;
      }
      tags.emplace_back(text.substr(i + 1, close - i - 1));
      i = close + 1;
      if (text[i] == ',') {
        ++i;
      } else if (i + 1 != text.size()) {
        plain = false;
      }
    }
    if (plain) return tags;
    tags.clear();
  }
  for (const auto& tag : detail::Json::parse(text)) tags.push_back(tag.get<std::string>());
  return tags;
}

Post read_post(const ColumnReader& row, bool with_body) {
  Post post;
  post.id = row.int64(0);
  post.tenant_id = row.int64(1);
  post.type = row.string(2);
  post.parent_id = row.optional_int64(3);
  post.slug = row.string(4);
  post.title = row.string(5);
  post.status = parse_post_status(row.text(6)).value_or(PostStatus::draft);
  post.author_id = row.int64(7);
  post.category = row.optional_string(8);
  post.tags = parse_tags(row.text(9));
  post.version = row.int64(10);
  post.published_version = row.optional_int64(11);
  post.reading_time = row.int64(12);
  post.view_count = row.int64(13);
  post.created_at = row.int64(14);
  post.updated_at = row.int64(15);
  post.published_at = row.optional_int64(16);
  post.scheduled_at = row.optional_int64(17);
  post.deleted_at = row.optional_int64(18);
  post.excerpt = row.string(19);
  post.seo = row.string(20);
  post.fields = row.string(21);
  if (with_body) post.body = row.string(22);
  return post;
}

Values post_values(const Post& post) {
  Values values;
  values.add(post.tenant_id)
      .add(post.type)
      .add(post.parent_id)
      .add(post.slug)
      .add(post.title)
      .add(post_status_name(post.status))
      .add(post.author_id)
      .add(post.category)
      .add(detail::dump_json(post.tags))
      .add(post.version)
      .add(post.published_version)
      .add(post.reading_time)
      .add(post.view_count)
      .add(post.created_at)
      .add(post.updated_at)
      .add(post.published_at)
      .add(post.scheduled_at)
      .add(post.deleted_at)
      .add(post.excerpt)
      .add(post.seo)
      .add(post.fields)
      .add(post.body);
  return values;
}

TermCount read_term(const ColumnReader& row) {
  return {row.string(0), row.int64(1)};
}

SearchHit read_hit(const ColumnReader& row) {
  return SearchHit{row.int64(0),  row.string(1), row.string(2),
                   row.string(3), row.string(4), row.real(5)};
}

}  // namespace quire::storage::rows
