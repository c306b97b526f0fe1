/* UndefinedBehaviorSanitizer: a signed overflow and a division by zero in one run. */
#include <limits.h>
#include <stdio.h>

static int scale(int value, int factor) { return value * factor; }
static int ratio(int a, int b) { return a / b; }

int main(int argc, char **argv) {
  (void)argv;
  printf("%d\n", scale(INT_MAX, argc + 1)); /* overflows */
  printf("%d\n", ratio(10, argc - 1));      /* divides by zero */
  return 0;
}
