// Valgrind memcheck: a branch on a heap value nobody initialised (Conditional jump or move depends
// on uninitialised value(s)), with the origin tracked (--track-origins=yes).
#include <cstdio>
#include <cstdlib>

struct Limits { int max_conn; int timeout; };

static Limits* load_limits() {
  Limits* l = static_cast<Limits*>(std::malloc(sizeof(Limits)));
  l->timeout = 30;  // max_conn is never set
  return l;
}

static int check_limits(const Limits* l) {
  if (l->max_conn > 100) return 1;
  return 0;
}

int main() {
  Limits* l = load_limits();
  int r = check_limits(l);
  std::free(l);
  return r;
}
