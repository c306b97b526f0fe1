// Valgrind memcheck (--leak-check=full): a copy whose only pointer is dropped (definitely lost).
#include <cstdio>
#include <cstdlib>
#include <cstring>

static char* copy_name(const char* s) {
  char* c = static_cast<char*>(std::malloc(std::strlen(s) + 1));
  std::strcpy(c, s);
  return c;
}

static void greet(const char* who) {
  char* name = copy_name(who);
  std::printf("hello %s\n", name);  // name is never freed
}

int main() {
  greet("valgrind");
  return 0;
}
