// Calls into libshapes.so, which crashes inside a lambda.
#include <vector>
namespace geo {
template <typename T> struct Shape { T* area; };
int total_area(const std::vector<Shape<int>>& shapes);
}
int main() {
  std::vector<geo::Shape<int>> shapes{{nullptr}};
  return geo::total_area(shapes);
}
