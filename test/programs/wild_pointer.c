/* SIGSEGV through a non-canonical pointer (a poisoned value): on x86-64 this is a general protection
 * fault, for which the kernel reports si_code SI_KERNEL and no fault address (si_addr 0). */
#include <stdint.h>

struct node { struct node *next; long value; };

static long sum_list(const struct node *n) {
  long total = 0;
  for (; n; n = n->next) total += n->value;
  return total;
}

int main(void) {
  struct node tail = { (struct node *)(uintptr_t)0xdead000000000100ULL, 2 };
  struct node head = { &tail, 1 };
  return (int)sum_list(&head);
}
