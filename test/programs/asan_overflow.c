/* AddressSanitizer: heap-buffer-overflow. Copies one element past the end of a heap array. */
#include <stdlib.h>

static void fill(int *dst, int n) {
  for (int i = 0; i <= n; i++) dst[i] = i; /* <= writes dst[n] */
}

int main(void) {
  int *values = malloc(8 * sizeof(int));
  fill(values, 8);
  free(values);
  return 0;
}
