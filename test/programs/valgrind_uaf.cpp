// Valgrind memcheck: invalid read inside a freed block (use after free). A job is read after its
// queue deleted it.
#include <cstdio>

namespace jobs {
struct Job { int id; int retries; };

Job* make_job(int id) { return new Job{id, 0}; }
void retire(Job* j) { delete j; }
int retries_of(const Job* j) { return j->retries; }  // j was deleted
}  // namespace jobs

int main() {
  jobs::Job* j = jobs::make_job(3);
  jobs::retire(j);
  std::printf("%d\n", jobs::retries_of(j));
  return 0;
}
