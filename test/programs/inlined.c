/* Built with -O2: the faulting code is inlined twice into compute(). */
static inline __attribute__((always_inline)) int read_value(const int *p) { return *p + 1; }
static inline __attribute__((always_inline)) int scaled(const int *p) { return read_value(p) * 2; }
__attribute__((noinline)) int compute(const int *p) { return scaled(p) + 3; }
int main(int argc, char **argv) {
  (void)argv;
  return compute(argc > 5 ? &argc : (const int *)0);
}
