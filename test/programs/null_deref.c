/* SIGSEGV: a null pointer handed down two calls and written through. */
#include <stddef.h>
#include <stdio.h>

struct config { int port; };

static void apply_config(struct config *cfg) {
  cfg->port = 8080; /* cfg is NULL */
}

static void load_config(const char *path) {
  struct config *cfg = NULL;
  printf("loading %s\n", path);
  apply_config(cfg);
}

int main(void) {
  load_config("server.conf");
  return 0;
}
