#pragma once
// A lock that can be waited for with a time limit, for the SQLite writer: what std::unique_lock
// needs of std::timed_mutex here (try_lock_for, unlock), built on std::mutex and
// std::condition_variable. std::timed_mutex waits in pthread_mutex_clocklock, which
// ThreadSanitizer does not intercept, so every write looked to it like the unlock of a mutex nobody
// held; a condition variable it does understand, so the threads test runs clean under it. The gate
// is held across calls, so it must be a flag, not a std::mutex kept locked.

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace quire::storage::sqlite {

class TimedGate {
 public:
  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    std::unique_lock guard(mutex_);
    if (!opened_.wait_for(guard, timeout, [&] { return !held_; })) return false;
    held_ = true;
    return true;
  }

  void unlock() {
    {
      std::lock_guard guard(mutex_);
      held_ = false;
    }
    opened_.notify_one();
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool held_ = false;
};

}  // namespace quire::storage::sqlite
