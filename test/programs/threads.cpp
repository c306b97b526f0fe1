// One worker thread dereferences a dangling pointer while the others block on a mutex/condvar.
#include <pthread.h>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pool {
std::mutex m;
std::condition_variable cv;
bool done = false;

struct Job { int* data; };

void idle_worker() {
  pthread_setname_np(pthread_self(), "idle");
  std::unique_lock<std::mutex> lock(m);
  cv.wait(lock, [] { return done; });
}

int run_job(const Job& job) { return *job.data + 1; }

void crashing_worker() {
  pthread_setname_np(pthread_self(), "crasher");
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  Job job{nullptr};
  run_job(job);
}
}  // namespace pool

int main() {
  std::vector<std::thread> threads;
  threads.emplace_back(pool::idle_worker);
  threads.emplace_back(pool::idle_worker);
  threads.emplace_back(pool::crashing_worker);
  for (auto& t : threads) t.join();
  return 0;
}
