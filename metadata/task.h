// Task<T>: a lazily started coroutine for the control loop, so that a multi-step operation on the
// storage nodes (stop replication, wait for a GTID, promote, repoint) reads as straight-line code.
// A Task runs only on the loop's thread; it suspends on awaiters whose callbacks come from that
// loop (SQL results, timers) and never blocks.
//
//   Task<int> child();                      // co_await child() runs it and yields its value
//   spawn(parent(), [](Result r) { ... });  // runs a top-level task; the callback gets its value
//
// Lifetime: an awaited Task's frame lives until the co_await expression ends; a spawned Task owns
// itself and is destroyed right after its callback returns. A task must finish: every awaiter it
// uses completes (with a result or an error) when the loop's owner cancels its I/O.
#pragma once

#include <coroutine>
#include <exception>
#include <functional>
#include <optional>
#include <utility>

namespace grouter::metadata {

template <typename T>
class [[nodiscard]] Task {
 public:
  struct promise_type {
    std::optional<T> value;
    std::coroutine_handle<> continuation;
    std::function<void(T)> on_done;  // set for a spawned task

    Task get_return_object() { return Task(Handle::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }

    struct FinalAwaiter {
      bool await_ready() noexcept { return false; }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
        promise_type& p = h.promise();
        if (p.continuation) return p.continuation;
        auto done = std::move(p.on_done);
        T value = std::move(*p.value);
        h.destroy();
        if (done) done(std::move(value));
        return std::noop_coroutine();
      }
      void await_resume() noexcept {}
    };
    FinalAwaiter final_suspend() noexcept { return {}; }
    void return_value(T v) { value = std::move(v); }
    void unhandled_exception() noexcept { std::terminate(); }
  };
  using Handle = std::coroutine_handle<promise_type>;

  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&&) = delete;
  Task(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    handle_.promise().continuation = awaiting;
    return handle_;
  }
  T await_resume() { return std::move(*handle_.promise().value); }

  // Starts a top-level task; DONE receives its value on the loop when it finishes.
  friend void spawn(Task task, std::function<void(T)> done) {
    Handle h = std::exchange(task.handle_, {});
    h.promise().on_done = std::move(done);
    h.resume();
  }

 private:
  explicit Task(Handle h) : handle_(h) {}
  Handle handle_;
};

// Suspends the running task until `start` calls the completion it is given (on the loop, now or
// later) with the value the co_await yields. Completing during start() does not suspend.
template <typename T>
class CallbackAwaiter {
 public:
  using Start = std::function<void(std::function<void(T)>)>;
  explicit CallbackAwaiter(Start start) : start_(std::move(start)) {}

  bool await_ready() const noexcept { return false; }
  bool await_suspend(std::coroutine_handle<> h) {
    handle_ = h;
    starting_ = true;
    start_([this](T value) {
      result_ = std::move(value);
      if (!starting_) handle_.resume();
    });
    starting_ = false;
    return !result_.has_value();  // completed during start: do not suspend
  }
  T await_resume() { return std::move(*result_); }

 private:
  Start start_;
  std::coroutine_handle<> handle_;
  std::optional<T> result_;
  bool starting_ = false;
};

}  // namespace grouter::metadata
