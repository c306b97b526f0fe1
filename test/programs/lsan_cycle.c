/* Two blocks that point at each other and at nothing else: LeakSanitizer finds only indirect leaks. */
#include <stdlib.h>

struct node { struct node *peer; char pad[24]; };

static void make_cycle(void) {
  struct node *a = malloc(sizeof *a);
  struct node *b = malloc(sizeof *b);
  a->peer = b;
  b->peer = a;
}

int main(void) {
  make_cycle();
  return 0;
}
