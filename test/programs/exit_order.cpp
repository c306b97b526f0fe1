// Crash during exit: a global's destructor uses another global that was destroyed first
// (static destruction order: objects die in reverse order of construction).
#include <cstdio>
#include <string>
#include <vector>

namespace app {
struct Registry {
  std::vector<std::string>* names = new std::vector<std::string>{"a", "b"};
  ~Registry() { delete names; names = nullptr; }
  void forget(const std::string& n) { names->push_back("-" + n); }
};
struct Plugin;
extern Registry registry;
struct Plugin {
  std::string name{"codec"};
  ~Plugin() { registry.forget(name); }  // registry is already gone at this point
};
Plugin plugin;      // constructed first, destroyed last
Registry registry;  // constructed second, destroyed first
}  // namespace app

int main() {
  std::printf("plugins loaded\n");
  return 0;
}
