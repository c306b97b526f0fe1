// A glog CHECK failure.
#include <glog/logging.h>

namespace shapes {
__attribute__((noinline)) int Area(int w, int h) {
  CHECK_EQ(w, h) << "only squares";
  return w * h;
}
__attribute__((noinline)) int Measure(int n) { return Area(n, n + 1); }
}  // namespace shapes

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  google::InstallFailureSignalHandler();
  return shapes::Measure(argc + 2);
}
