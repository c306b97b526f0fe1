// The same handler in C++: backtrace_symbols() prints mangled names (_ZN...), which need demangling.
#include <execinfo.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <unistd.h>

namespace ingest {
struct Record { int size; };
__attribute__((noinline)) int measure(const Record* r) { return r->size; }  // r is null
__attribute__((noinline)) int run(int n) { return measure(n > 5 ? new Record{1} : nullptr); }
}  // namespace ingest

static void on_fatal(int sig) {
  void* frames[32];
  int n = backtrace(frames, 32);
  char** names = backtrace_symbols(frames, n);
  std::fprintf(stderr, "*** signal %d\n", sig);
  for (int i = 0; i < n; i++) std::fprintf(stderr, "%s\n", names[i]);
  _exit(128 + sig);
}

int main(int argc, char**) {
  std::signal(SIGSEGV, on_fatal);
  return ingest::run(argc);
}
