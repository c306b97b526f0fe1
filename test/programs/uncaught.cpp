// SIGABRT from std::terminate: an exception nobody catches.
#include <stdexcept>
#include <string>

namespace billing {
struct Invoice { int amount; };

void validate(const Invoice& inv) {
  if (inv.amount < 0) throw std::invalid_argument("negative amount: " + std::to_string(inv.amount));
}
}  // namespace billing

int main() {
  billing::Invoice inv{-3};
  billing::validate(inv);
  return 0;
}
