// Two threads take two mutexes in opposite orders and deadlock; main waits for them forever.
// Used by test/e2e/hang.test.ts: the same hang captured by gdb and lldb, attached and from a core.
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

namespace bank {
std::mutex accounts;
std::mutex ledger;

void transfer() {
  std::lock_guard<std::mutex> a(accounts);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::lock_guard<std::mutex> b(ledger);
}

void audit() {
  std::lock_guard<std::mutex> b(ledger);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::lock_guard<std::mutex> a(accounts);
}
}  // namespace bank

int main() {
  std::thread t1(bank::transfer);
  std::thread t2(bank::audit);
  std::printf("started\n");
  std::fflush(stdout);
  t1.join();
  t2.join();
  return 0;
}
