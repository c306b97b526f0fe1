// A tool built on LLVM's Support library (as every LLVM-based compiler and tool is): InitLLVM
// installs the "PLEASE submit a bug report" / "Stack dump:" signal handler, then an assertion fails
// (no argument), a null pointer is written ("segv") or report_fatal_error is called ("fatal").
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/PrettyStackTrace.h"
#include <cassert>
#include <cstdio>

namespace pass {
struct Node { int kind; Node *next; };

int visitNode(const Node *n) {
  assert(n->kind != 0 && "unexpected node kind");
  return n->kind;
}

int runOnChain(const Node *head) {
  llvm::PrettyStackTraceString entry("Running pass 'chain-visitor' on chain");
  int sum = 0;
  for (const Node *n = head; n; n = n->next) sum += visitNode(n);
  return sum;
}
}  // namespace pass

int main(int argc, char **argv) {
  llvm::InitLLVM X(argc, argv);
  pass::Node c{0, nullptr}, b{2, &c}, a{1, &b};
  if (argc > 1 && argv[1][0] == 's') { volatile int *p = nullptr; *p = 1; }
  if (argc > 1 && argv[1][0] == 'f') llvm::report_fatal_error("chain-visitor: node list is cyclic");
  std::printf("%d\n", pass::runOnChain(&a));
}
