#include "thread_marks.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace quire::detail {

namespace {

struct Mark {
  const DatabaseState* db;
  Inside what;
};

// A handful at most: a unit, and the transaction around it, per database this thread is in.
thread_local std::vector<Mark> marks;

}  // namespace

ThreadMark::ThreadMark(const DatabaseState& db, Inside what) noexcept : what_(what) {
  try {
    marks.push_back({&db, what});
    db_ = &db;
  } catch (...) {  // out of memory: unmarked, so only the early refusal is lost
  }
}

ThreadMark::ThreadMark(ThreadMark&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), what_(other.what_) {}

ThreadMark& ThreadMark::operator=(ThreadMark&& other) noexcept {
  if (this != &other) {
    clear();
    db_ = std::exchange(other.db_, nullptr);
    what_ = other.what_;
  }
  return *this;
}

ThreadMark::~ThreadMark() {
  clear();
}

void ThreadMark::clear() noexcept {
  if (db_ == nullptr) return;
  // The latest equal mark: marks of one kind are interchangeable, so any one of them will do.
  const auto found = std::find_if(marks.rbegin(), marks.rend(), [&](const Mark& mark) {
    return mark.db == db_ && mark.what == what_;
  });
  if (found != marks.rend()) marks.erase(std::next(found).base());
  db_ = nullptr;
}

bool this_thread_is_inside(const DatabaseState& db, Inside what) noexcept {
  return std::any_of(marks.begin(), marks.end(),
                     [&](const Mark& mark) { return mark.db == &db && mark.what == what; });
}

}  // namespace quire::detail
