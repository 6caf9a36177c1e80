// Discriminated unions and narrowing in functions from earlier statements.
type Shape = { kind: "circle"; r: number } | { kind: "rect"; w: number; h: number };
function area(s: Shape): number {
  switch (s.kind) {
    case "circle": return Math.round(Math.PI * s.r * s.r);
    case "rect": return s.w * s.h;
  }
}
const shapes: Shape[] = [{ kind: "circle", r: 2 }, { kind: "rect", w: 3, h: 4 }];
console.log(shapes.map(area));
const isRect = (s: Shape): s is Extract<Shape, { kind: "rect" }> => s.kind === "rect";
console.log(shapes.filter(isRect).map(({ w: width }) => width));
