/* SIGABRT from assert(): the classic "Assertion `...' failed." */
#include <assert.h>

static int check_balance(int balance) {
  assert(balance >= 0);
  return balance;
}

int main(void) { return check_balance(-5); }
