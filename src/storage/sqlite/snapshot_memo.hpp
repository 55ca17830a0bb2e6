#pragma once
// Rows one connection has read, kept for as long as the database file stays as it was. A lookup
// made by every operation (the acting member's role and standing) then costs a hash probe instead
// of a query, and is never stale: the memo is keyed by the file's data version, which every commit
// changes, by this connection or any other, in this process or another.

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>

namespace quire::storage::sqlite {

template <class Key, class Value, class Hash>
class SnapshotMemo {
 public:
  // Bounds the memory a connection keeps: past it, the memo starts again.
  static constexpr std::size_t max_rows = 4096;

  // The row remembered for `key` at `version`, or null.
  const Value* find(std::uint32_t version, const Key& key) {
    if (version != version_) return nullptr;
    const auto found = rows_.find(key);
    return found == rows_.end() ? nullptr : &found->second;
  }

  void remember(std::uint32_t version, const Key& key, Value value) {
    if (version != version_ || rows_.size() >= max_rows) {
      rows_.clear();
      version_ = version;
    }
    rows_.insert_or_assign(key, std::move(value));
  }

 private:
  std::uint32_t version_ = 0;
  std::unordered_map<Key, Value, Hash> rows_;
};

}  // namespace quire::storage::sqlite
