// SIGABRT from "pure virtual method called": a base-class constructor reaches a pure virtual
// function through a helper before the derived object exists.
#include <cstdio>

namespace media {
struct Codec {
  Codec() { announce(); }
  void announce() { std::printf("codec %s ready\n", name()); }
  virtual const char* name() const = 0;
  virtual ~Codec() = default;
};
struct Opus : Codec {
  const char* name() const override { return "opus"; }
};
}  // namespace media

int main() {
  media::Opus codec;
  return 0;
}
