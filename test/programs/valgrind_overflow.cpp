// Valgrind memcheck: invalid write one element past a heap array (heap overflow).
#include <cstdio>
#include <cstdlib>

static void fill(int* v, int n) {
  for (int i = 0; i <= n; i++) v[i] = i;  // <= writes v[n]
}

int main() {
  int* v = static_cast<int*>(std::malloc(10 * sizeof(int)));
  fill(v, 10);
  std::printf("%d\n", v[3]);
  std::free(v);
  return 0;
}
