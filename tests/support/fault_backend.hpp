#pragma once
// A backend that fails chosen storage steps, as LevelDB's FaultInjectionTestEnv: built on the
// forwarding wrapper (quire/storage_wrapper.hpp), it counts the steps an operation takes (every
// store call, begin, savepoint / release / rollback_to, commit) and fails the Nth one — or the Nth
// read, write or commit — with Errc::storage, before it reaches the real backend.

#include <algorithm>
#include <memory>
#include <mutex>
#include <quire/storage_wrapper.hpp>
#include <string>
#include <vector>

namespace quire::test {

// Which steps count towards the Nth.
enum class FaultCount { every_step, reads, writes, commits };

// What a FaultBackend counts and fails; shared with the test, so that it outlives the Database.
class FaultPlan {
 public:
  // Counts from zero again, and fails nothing: to learn how many steps an operation takes.
  void count_only() {
    std::lock_guard lock(mutex_);
    reset(0, FaultCount::every_step);
  }
  // Counts from zero again, and fails the `nth` (1-based) step that `what` counts.
  void fail_at(unsigned nth, FaultCount what = FaultCount::every_step) {
    std::lock_guard lock(mutex_);
    reset(nth, what);
  }

  // Also fails every step with this name ("transaction.rollback_to"), from now until the next
  // count_only / fail_at: to see what a failure does when undoing it fails too.
  void fail_every(std::string step) {
    std::lock_guard lock(mutex_);
    always_.push_back(std::move(step));
  }

  // The steps `what` counts, seen since the last count_only / fail_at.
  unsigned counted() const {
    std::lock_guard lock(mutex_);
    return counted_;
  }
  // Whether the planned failure happened, and at which step ("posts.update").
  bool fired() const {
    std::lock_guard lock(mutex_);
    return !failed_step_.empty();
  }
  std::string failed_step() const {
    std::lock_guard lock(mutex_);
    return failed_step_;
  }
  // Every step seen since the last reset, in order: "backend.begin", "tenants.find", …
  std::vector<std::string> trace() const {
    std::lock_guard lock(mutex_);
    return trace_;
  }

  // The FaultBackend's hook: whether the step goes through.
  Result<void> step(const storage::Step& step) {
    std::lock_guard lock(mutex_);
    auto name = std::string(step.store) + "." + std::string(step.method);
    trace_.push_back(name);
    if (std::find(always_.begin(), always_.end(), name) != always_.end()) {
      return fail(Errc::storage, "injected fault at every " + name, "FAULT_INJECTED");
    }
    if (!counts(step.kind)) return success();
    ++counted_;
    if (counted_ != nth_) return success();
    failed_step_ = name;
    return fail(Errc::storage, "injected fault at step " + std::to_string(nth_) + " (" + name + ")",
                "FAULT_INJECTED");
  }

 private:
  void reset(unsigned nth, FaultCount what) {
    nth_ = nth;
    what_ = what;
    counted_ = 0;
    failed_step_.clear();
    trace_.clear();
    always_.clear();
  }

  bool counts(storage::StepKind kind) const {
    switch (what_) {
      case FaultCount::every_step:
        return true;
      case FaultCount::reads:
        return kind == storage::StepKind::read;
      case FaultCount::writes:
        return kind == storage::StepKind::write;
      case FaultCount::commits:
        return kind == storage::StepKind::commit;
    }
    return false;
  }

  mutable std::mutex mutex_;
  unsigned nth_ = 0;  // 0: fail nothing
  FaultCount what_ = FaultCount::every_step;
  unsigned counted_ = 0;
  std::string failed_step_;
  std::vector<std::string> trace_;
  std::vector<std::string> always_;
};

class FaultBackend : public storage::ForwardingBackend {
 public:
  FaultBackend(std::unique_ptr<storage::Backend> target, std::shared_ptr<FaultPlan> plan)
      : ForwardingBackend(std::move(target)), plan_(std::move(plan)) {}

  Result<void> before(const storage::Step& step) noexcept override {
    try {
      return plan_->step(step);
    } catch (...) {
      return fail(Errc::internal, "out of memory in the fault plan");
    }
  }

 private:
  std::shared_ptr<FaultPlan> plan_;
};

}  // namespace quire::test
