// Abseil's failure signal handler on a null dereference.
#include "absl/debugging/failure_signal_handler.h"
#include "absl/debugging/symbolize.h"

namespace shapes {
struct Node { int value; Node* next; };
__attribute__((noinline)) int Sum(const Node* n) { return n->next->value + n->value; }
__attribute__((noinline)) int Walk(const Node* head) { return Sum(head) * 2; }
}  // namespace shapes

int main(int argc, char** argv) {
  absl::InitializeSymbolizer(argv[0]);
  absl::FailureSignalHandlerOptions options;
  absl::InstallFailureSignalHandler(options);
  shapes::Node tail{1, nullptr};
  return shapes::Walk(argc > 5 ? &tail : &tail);
}
