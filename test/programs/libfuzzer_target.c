// A libFuzzer target with one bug per mode, chosen by the first input byte, so one build gives
// every report libFuzzer prints: a deadly signal (SEGV, abort), exit(), out-of-memory, a timeout, a leak.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

static volatile int *sink;

static void parse_header(const uint8_t *data, size_t size) {
  int *p = NULL;
  if (size > 1 && data[1] == 'X') p = (int *)(uintptr_t)0x10;
  sink = p;
  *sink = 1;  /* SEGV */
}

static void check_trailer(const uint8_t *data, size_t size) {
  if (size > 1) abort();
}

static void grow_table(size_t n) {
  char *big = malloc(n);
  memset(big, 1, n);
  sink = (int *)big;
}

static void spin(void) {
  for (;;) sink = (int *)0;
}

static void keep_record(const uint8_t *data, size_t size) {
  char *rec = malloc(64);
  memcpy(rec, data, size < 64 ? size : 64);
  if (rec[0] == 0) sink = (int *)rec;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  switch (data[0]) {
    case 's': parse_header(data, size); break;
    case 'a': check_trailer(data, size); break;
    case 'e': exit(3);
    case 'm': grow_table((size_t)3 << 30); break;
    case 'r': for (int i = 0; i < 64; i++) grow_table((size_t)64 << 20); break;
    case 't': spin(); break;
    case 'l': keep_record(data, size); break;
  }
  return 0;
}
