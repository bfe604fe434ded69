// Task<T> and CallbackAwaiter: coroutines that suspend on callbacks completed later (as the control
// loop does) or at once, nest, and deliver their value to spawn()'s callback exactly once.
#include "metadata/task.h"

#include <deque>
#include <functional>
#include <string>

#include <gtest/gtest.h>

namespace grouter::metadata {
namespace {

// Stands in for the loop: completions queued now, run later by drain().
struct FakeLoop {
  std::deque<std::function<void()>> queue;
  void drain() {
    while (!queue.empty()) {
      auto next = std::move(queue.front());
      queue.pop_front();
      next();
    }
  }
};

CallbackAwaiter<int> later(FakeLoop& loop, int value) {
  return CallbackAwaiter<int>([&loop, value](std::function<void(int)> done) {
    loop.queue.push_back([done = std::move(done), value] { done(value); });
  });
}

CallbackAwaiter<int> at_once(int value) {
  return CallbackAwaiter<int>([value](std::function<void(int)> done) { done(value); });
}

Task<int> add_three(FakeLoop& loop) {
  int a = co_await later(loop, 1);
  int b = co_await at_once(2);
  int c = co_await later(loop, 3);
  co_return a + b + c;
}

Task<std::string> outer(FakeLoop& loop, std::vector<std::string>& trace) {
  trace.push_back("start");
  int first = co_await add_three(loop);
  trace.push_back("first " + std::to_string(first));
  int second = co_await add_three(loop);
  co_return std::to_string(first + second);
}

TEST(Task, RunsOnlyWhenSpawnedAndDeliversItsValueOnce) {
  FakeLoop loop;
  std::vector<std::string> trace;
  int calls = 0;
  std::string result;
  {
    auto task = outer(loop, trace);
    EXPECT_TRUE(trace.empty()) << "lazy: nothing runs before spawn";
    spawn(std::move(task), [&](std::string value) {
      ++calls;
      result = value;
    });
  }
  EXPECT_EQ(trace, std::vector<std::string>{"start"});
  EXPECT_EQ(calls, 0);
  loop.drain();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(result, "12");
  EXPECT_EQ(trace, (std::vector<std::string>{"start", "first 6"}));
}

Task<int> immediate() {
  int v = co_await at_once(41);
  co_return v + 1;
}

TEST(Task, CompletesSynchronouslyWhenEveryAwaiterDoes) {
  int result = 0;
  spawn(immediate(), [&](int v) { result = v; });
  EXPECT_EQ(result, 42);
}

Task<int> many(FakeLoop& loop, int n) {
  int sum = 0;
  for (int i = 0; i < n; ++i) sum += co_await (i % 2 == 0 ? later(loop, 1) : at_once(1));
  co_return sum;
}

TEST(Task, LongChainsOfSynchronousCompletionsDoNotGrowTheStack) {
  int result = 0;
  FakeLoop loop;
  spawn(many(loop, 200000), [&](int v) { result = v; });
  loop.drain();
  EXPECT_EQ(result, 200000);
}

}  // namespace
}  // namespace grouter::metadata
