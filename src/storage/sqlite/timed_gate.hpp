#pragma once
// A lock that can be waited for with a time limit, for the SQLite writer: what std::unique_lock
// needs of std::timed_mutex here (try_lock_for, unlock), built on std::mutex and
// std::condition_variable. std::timed_mutex waits in pthread_mutex_clocklock, which
// ThreadSanitizer does not intercept, so every write looked to it like the unlock of a mutex nobody
// held; a condition variable it does understand, so the threads test runs clean under it. The gate
// is held across calls, so it must be a flag, not a std::mutex kept locked.
//
// Waiters are served first come, first served: unlock() hands the gate to the oldest waiter, so a
// thread that has just released it cannot take it again ahead of one that has waited (with a
// bare condition variable, whoever woke first won, and a thread could wait out its whole timeout).

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>

namespace quire::storage::sqlite {

class TimedGate {
 public:
  template <class Clock, class Duration>
  bool try_lock_until(const std::chrono::time_point<Clock, Duration>& deadline) {
    std::unique_lock guard(mutex_);
    if (!held_ && waiters_.empty()) {
      held_ = true;
      return true;
    }
    Waiter me;
    waiters_.push_back(&me);
    if (me.turn.wait_until(guard, deadline, [&] { return me.granted; })) return true;
    waiters_.erase(std::find(waiters_.begin(), waiters_.end(), &me));
    return false;
  }

  template <class Rep, class Period>
  bool try_lock_for(const std::chrono::duration<Rep, Period>& timeout) {
    return try_lock_until(std::chrono::steady_clock::now() + timeout);
  }

  void unlock() {
    std::lock_guard guard(mutex_);
    if (waiters_.empty()) {
      held_ = false;
      return;
    }
    // Handed over: the gate stays held. Notified under the mutex, so the waiter (whose Waiter
    // lives on its stack) cannot have returned yet.
    Waiter* next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;
    next->turn.notify_one();
  }

 private:
  struct Waiter {
    std::condition_variable turn;
    bool granted = false;
  };

  std::mutex mutex_;
  std::deque<Waiter*> waiters_;  // oldest first
  bool held_ = false;
};

}  // namespace quire::storage::sqlite
