/* SIGSEGV from stack overflow: unbounded recursion with a frame-sized buffer. */
#include <string.h>

static int walk_tree(int depth) {
  char scratch[256];
  memset(scratch, depth & 0xff, sizeof scratch);
  return walk_tree(depth + 1) + scratch[depth % 256];
}

int main(void) { return walk_tree(0); }
