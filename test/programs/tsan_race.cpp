// ThreadSanitizer: data race. Two threads bump a shared counter without a lock.
#include <thread>

namespace stats {
int hits = 0;
void record() { for (int i = 0; i < 1000; i++) hits++; }
}  // namespace stats

int main() {
  std::thread a(stats::record);
  std::thread b(stats::record);
  a.join();
  b.join();
  return stats::hits > 0 ? 0 : 1;
}
