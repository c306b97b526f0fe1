// AddressSanitizer: heap-use-after-free. A session object is read after its owner deleted it.
#include <cstdio>

namespace net {
struct Session { int id; int bytes; };

Session* open_session() { return new Session{7, 0}; }
void close_session(Session* s) { delete s; }
int account(const Session* s) { return s->bytes + 1; }  // s was deleted
}  // namespace net

int main() {
  net::Session* s = net::open_session();
  net::close_session(s);
  std::printf("%d\n", net::account(s));
  return 0;
}
