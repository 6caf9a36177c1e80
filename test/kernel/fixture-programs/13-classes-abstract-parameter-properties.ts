// Abstract classes and parameter properties across statements.
abstract class Shape {
  abstract area(): number;
  describe() { return `${this.constructor.name} area ${this.area().toFixed(2)}`; }
}
class Square extends Shape {
  constructor(public readonly side = 3) { super(); }
  area() { return this.side ** 2; }
}
class Circle extends Shape {
  constructor(private r: number, protected label = "c") { super(); }
  area() { return Math.PI * this.r ** 2; }
}
const shapes = [new Square(), new Circle(1), new Square(1.5)];
console.log(shapes.map((s) => s.describe()));
console.log(new Circle(2));
