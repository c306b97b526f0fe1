// glog's failure signal handler on a null dereference.
#include <glog/logging.h>

namespace shapes {
struct Node { int value; Node* next; };
__attribute__((noinline)) int Sum(const Node* n) { return n->next->value + n->value; }
__attribute__((noinline)) int Walk(const Node* head) { return Sum(head) * 2; }
}  // namespace shapes

int main(int argc, char** argv) {
  google::InitGoogleLogging(argv[0]);
  google::InstallFailureSignalHandler();
  shapes::Node tail{1, nullptr};
  return shapes::Walk(argc > 5 ? &tail : &tail);
}
