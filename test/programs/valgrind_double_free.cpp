// Valgrind memcheck: the same block freed twice (Invalid free()); valgrind's allocator keeps the
// process alive, glibc's double-free check never runs.
#include <cstdio>
#include <cstdlib>
#include <cstring>

static char* buffer;

static void release_buffer() { std::free(buffer); }

int main() {
  buffer = static_cast<char*>(std::malloc(32));
  std::strcpy(buffer, "payload");
  std::puts(buffer);
  release_buffer();
  release_buffer();  // second free of the same block
  return 0;
}
