// Numeric and string enums, reverse mapping, enums in later expressions.
enum Color { Red, Green = 5, Blue }
enum Dir { Up = "UP", Down = "DOWN" }
console.log(Color.Red, Color.Blue, Color[5], Dir.Down);
const pick = (c: Color) => Color[c];
console.log([Color.Red, Color.Green, Color.Blue].map(pick));
let chosen: Color = Color.Blue;
chosen = Color.Green;
console.log(chosen === Color.Green, Object.keys(Dir), Object.values(Color));
