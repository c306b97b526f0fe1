/* LeakSanitizer: a buffer allocated per request and never freed. */
#include <stdlib.h>
#include <string.h>

static char *copy_name(const char *name) {
  char *copy = malloc(strlen(name) + 1);
  strcpy(copy, name);
  return copy;
}

int main(void) {
  char *leaked = copy_name("request-42");
  leaked = NULL; /* the only pointer is dropped */
  return leaked != NULL;
}
