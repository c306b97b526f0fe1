/* SIGABRT from glibc: "free(): double free detected in tcache 2". */
#include <stdlib.h>
#include <string.h>

static void release_buffer(char *buf) { free(buf); }

int main(void) {
  char *buf = malloc(64);
  strcpy(buf, "payload");
  release_buffer(buf);
  release_buffer(buf); /* second free of the same block */
  return 0;
}
