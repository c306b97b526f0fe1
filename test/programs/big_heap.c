/* For the core benchmark: a process with 1 GiB of touched heap that then dereferences null. */
#include <stdlib.h>
#include <string.h>

int main(void) {
  size_t size = (size_t)1 << 30;
  char *heap = malloc(size);
  if (!heap) return 1;
  memset(heap, 1, size);
  volatile int *p = 0;
  return *p + heap[size - 1];
}
