// A SIGSEGV handler that prints glibc backtrace_symbols_fd output, as many servers do.
#include <execinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void on_fault(int sig) {
  void* frames[64];
  int n = backtrace(frames, 64);
  fprintf(stderr, "Error: signal %d:\nObtained %d stack frames.\n", sig, n);
  backtrace_symbols_fd(frames, n, STDERR_FILENO);
  _exit(1);
}

namespace shapes {
struct Node { int value; Node* next; };
__attribute__((noinline)) int Sum(const Node* n) { return n->next->value + n->value; }
__attribute__((noinline)) int Walk(const Node* head) { return Sum(head) * 2; }
}  // namespace shapes

int main(int argc, char**) {
  signal(SIGSEGV, on_fault);
  shapes::Node tail{1, nullptr};
  return shapes::Walk(argc > 5 ? &tail : &tail);
}
