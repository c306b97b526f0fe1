// A glog CHECK failure: "Check failed: ..." and the check-failure stack trace.
#include <glog/logging.h>
#include <vector>

namespace shard {
__attribute__((noinline)) int pick(const std::vector<int>& shards, size_t i) {
  CHECK_LT(i, shards.size()) << "shard index out of range";
  return shards[i];
}
}  // namespace shard

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  std::vector<int> shards{1, 2, 3};
  return shard::pick(shards, 3 + static_cast<size_t>(argc) - 1);
}
