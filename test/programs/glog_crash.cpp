// glog's failure signal handler on a SIGSEGV, as servers install it (google::InstallFailureSignalHandler).
#include <glog/logging.h>

namespace cache {
struct Entry { int hits; };
__attribute__((noinline)) int touch(Entry* e) { return ++e->hits; }  // e is null
}  // namespace cache

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  google::InstallFailureSignalHandler();
  LOG(INFO) << "serving";
  return cache::touch(argc > 5 ? new cache::Entry{0} : nullptr);
}
