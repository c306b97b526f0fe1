/* A two-thread program that aborts in a worker: run under eu-stack (live) and as a core. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

static volatile int ready;

__attribute__((noinline)) static void check_config(int v) {
  if (v != 42) abort();
}

__attribute__((noinline)) static void *worker(void *arg) {
  ready = 1;
  if (arg) sleep(3600);
  check_config(7);
  return NULL;
}

int main(int argc, char **argv) {
  pthread_t t;
  (void)argv;
  pthread_create(&t, NULL, worker, argc > 1 ? (void *)1 : NULL);
  if (argc > 1) { sleep(3600); return 0; }
  pthread_join(t, NULL);
  return 0;
}
