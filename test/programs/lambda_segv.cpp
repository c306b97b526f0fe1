// A write through a bad pointer inside a lambda called through std::function: every tool names the
// lambda differently ("run()::{lambda()#1}::operator()() const" and gdb's argument list), and all
// must sign it the same.
#include <functional>

template <typename F> __attribute__((noinline)) void call_with(F f) {
  std::function<void()> g = f;
  g();
}

__attribute__((noinline)) void run() {
  int *p = reinterpret_cast<int *>(0x10);
  call_with([p]() { *p = 1; });
}

int main() { run(); }
