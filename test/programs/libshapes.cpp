// A shared library with rich C++ names: a namespace, a template, a lambda and an anonymous namespace.
#include <functional>
#include <vector>

namespace geo {
template <typename T> struct Shape { T* area; };

namespace {
template <typename T> T measure(const Shape<T>& s) { return *s.area; }  // s.area is null
}  // namespace

int total_area(const std::vector<Shape<int>>& shapes) {
  int sum = 0;
  std::function<void(const Shape<int>&)> add = [&sum](const Shape<int>& s) { sum += measure(s); };
  for (const auto& s : shapes) add(s);
  return sum;
}
}  // namespace geo
