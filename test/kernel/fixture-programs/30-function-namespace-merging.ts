// A function, an interface and a namespace of the same name merge, as in one script.
interface Point { x: number; y: number }
function Point(x: number, y: number): Point { return { x, y }; }
namespace Point {
  export const origin = Point(0, 0);
  export function add(a: Point, b: Point): Point { return Point(a.x + b.x, a.y + b.y); }
}
const p: Point = Point.add(Point(1, 2), Point.origin);
console.log(p, typeof Point);
