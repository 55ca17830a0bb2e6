#pragma once
// Versions of a post: every create, update and restore writes one, in the same transaction. The
// Version engine (history, diff, restore, autosave, retention) reads and writes them.

#include <quire/post.hpp>
#include <quire/types.hpp>

#include <string>

namespace quire {

// A version as listed: metadata only.
struct Version {
  PostId post_id = 0;
  std::int64_t number = 0;  // 1, 2, … per post
  std::string kind;         // create, update, restore, manual
  UserId author_id = 0;
  std::string summary;
  Timestamp created_at = 0;
  std::int64_t size = 0;  // bytes of title and body
};

// A version with its full snapshot: the post's content as it was.
struct VersionSnapshot {
  Version version;
  std::string title;
  std::string body;
  std::string slug;
  PostStatus status = PostStatus::draft;
  std::optional<std::string> category;
  std::vector<std::string> tags;
  std::string excerpt;
  std::string seo = "{}";
  std::string fields = "{}";
};

}  // namespace quire
