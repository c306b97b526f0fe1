// A re-enactment of the brpc seed crash (not brpc itself: brpc is not packaged here). The names,
// call path and log lines follow apache/brpc: a semi-synchronous caller starts calls on several
// shards, returns early when one fails WITHOUT brpc::Join() on the rest, and destroys their
// Controllers; when the killed server's connections then deliver the last responses, the I/O
// worker (a bthread in brpc, a thread here) runs ProcessHttpResponse on a freed Controller.
// The freed block is handed out again right away (as tcmalloc tends to do), so the dangling
// pointer reads garbage and the first member access faults.
#include <pthread.h>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

namespace brpc {
struct HttpHeader { int status_code = 0; };
struct Controller {
  HttpHeader* http_response = new HttpHeader;
  int error_code = 0;
  ~Controller() { delete http_response; }
};
struct InputMessageBase { Controller* cntl; };
struct Socket {
  std::vector<InputMessageBase*> pending;
  static void* ProcessEvent(void* arg);
};

namespace policy {
__attribute__((noinline)) void ProcessHttpResponse(InputMessageBase* msg) {
  Controller* cntl = msg->cntl;  // what bthread_id_lock hands back: still "valid", but freed
  cntl->http_response->status_code = 200;
  cntl->error_code = 0;
}
}  // namespace policy

struct InputMessenger {
  __attribute__((noinline)) static void OnNewMessages(Socket* m) {
    for (InputMessageBase* msg : m->pending) policy::ProcessHttpResponse(msg);
  }
};
__attribute__((noinline)) void* Socket::ProcessEvent(void* arg) {
  InputMessenger::OnNewMessages(static_cast<Socket*>(arg));
  return nullptr;
}
}  // namespace brpc

namespace bthread {
struct TaskGroup {
  __attribute__((noinline)) static void task_runner(long arg) { brpc::Socket::ProcessEvent(reinterpret_cast<void*>(arg)); }
};
}  // namespace bthread

namespace shard_client {
// Starts one call per shard; on the first failure returns without joining the others.
__attribute__((noinline)) bool FetchAll(brpc::Socket* sock) {
  std::vector<brpc::Controller*> cntls;
  for (int i = 0; i < 3; i++) {
    cntls.push_back(new brpc::Controller);
    sock->pending.push_back(new brpc::InputMessageBase{cntls.back()});
  }
  std::fprintf(stderr, "W1125 10:15:02.417339 21034 src/brpc/input_messenger.cpp:386] Fail to read from Socket{id=8589934721 fd=14 addr=127.0.0.1:8010:52114} (0x7f3a2c01a0c0): Connection reset by peer [104]\n");
  std::fprintf(stderr, "E1125 10:15:02.417512 21031 shard_client.cpp:88] shard 1 failed: [E1014]Got EOF of Socket{id=8589934722 fd=15 addr=127.0.0.1:8011:52116} (0x7f3a2c01a300)\n");
  for (brpc::Controller* c : cntls) delete c;  // early return: no brpc::Join on the other call ids
  for (int i = 0; i < 3; i++) {                // the allocator hands the blocks out again
    void* reused = ::operator new(sizeof(brpc::Controller));
    std::memset(reused, 0x41, sizeof(brpc::Controller));
  }
  return false;
}
}  // namespace shard_client

int main() {
  static brpc::Socket sock;
  shard_client::FetchAll(&sock);
  std::thread worker([] {
    pthread_setname_np(pthread_self(), "brpc_worker");
    bthread::TaskGroup::task_runner(reinterpret_cast<long>(&sock));
  });
  worker.join();
  return 0;
}
