#pragma once
// What the calling thread is inside of, per database: an operation (a unit of work, whose
// callbacks, such as audit export's writer, run on this thread), a transaction body, or the write
// transaction itself. A call that could only wait for this very thread (close() from a callback,
// another context's write while this thread's own transaction holds the write lock) checks these
// marks and fails at once instead of hanging.

namespace quire::detail {

struct DatabaseState;

enum class Inside {
  operation,          // a unit of work of the database runs on this thread
  transaction_body,   // Database::transaction's body runs on this thread
  write_transaction,  // this thread holds the database's write transaction and cannot end it
                      // before the call returns (a transaction body, a unit joined to a handle)
};

// Marks the calling thread as inside `what` of `db` while it lives. Movable (a Unit is returned
// by value), on the thread that made it. Failing to mark (out of memory) only loses the check.
class ThreadMark {
 public:
  ThreadMark() noexcept = default;
  ThreadMark(const DatabaseState& db, Inside what) noexcept;
  ThreadMark(ThreadMark&& other) noexcept;
  ThreadMark& operator=(ThreadMark&& other) noexcept;
  ThreadMark(const ThreadMark&) = delete;
  ThreadMark& operator=(const ThreadMark&) = delete;
  ~ThreadMark();

 private:
  void clear() noexcept;

  const DatabaseState* db_ = nullptr;
  Inside what_ = Inside::operation;
};

bool this_thread_is_inside(const DatabaseState& db, Inside what) noexcept;

}  // namespace quire::detail
