/* SIGFPE: integer division by zero. */
#include <stdio.h>

static int average(int total, int count) { return total / count; }

int main(int argc, char **argv) {
  (void)argv;
  printf("average %d\n", average(100, argc - 1)); /* no arguments: count is 0 */
  return 0;
}
