// Valgrind memcheck: an array allocated with new[] released with plain delete (Mismatched free()).
#include <cstdio>

namespace img {
struct Pixel { unsigned char r, g, b; };

Pixel* make_row(int n) { return new Pixel[n]; }
void drop_row(Pixel* row) { delete row; }  // should be delete[]
}  // namespace img

int main() {
  img::Pixel* row = img::make_row(16);
  row[0].r = 1;
  std::printf("%d\n", row[0].r);
  img::drop_row(row);
  return 0;
}
