// SIGABRT from an uncaught std::bad_alloc: an allocation far larger than memory.
#include <cstddef>
#include <vector>

namespace cache {
std::vector<char>* reserve_slab(std::size_t entries) {
  return new std::vector<char>(entries * 1024 * 1024 * 1024);  // entries GiB
}
}  // namespace cache

int main() {
  auto* slab = cache::reserve_slab(1u << 20);  // one PiB
  return slab->empty() ? 0 : 1;
}
