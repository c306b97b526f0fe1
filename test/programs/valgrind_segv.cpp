// Valgrind memcheck: a write through a null pointer; the process is terminated by SIGSEGV and
// valgrind reports "Access not within mapped region at address 0x0".
#include <cstdio>

namespace cfg {
struct Config { int port; };

void apply(Config* c) { c->port = 8080; }  // c is null
void load(const char* path) {
  Config* c = nullptr;
  std::printf("loading %s\n", path);
  apply(c);
}
}  // namespace cfg

int main() {
  cfg::load("server.conf");
  return 0;
}
