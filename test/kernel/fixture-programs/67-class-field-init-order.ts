// Class field initialisation order and arrow-function fields capturing `this`.
const events: string[] = [];
class Base {
  a = (events.push("Base field"), 1);
  constructor() { events.push("Base ctor"); }
}
class Child extends Base {
  b = (events.push("Child field"), this.a + 1);
  bound = () => this.b;
  constructor() { super(); events.push("Child ctor"); }
}
const child = new Child();
const { bound } = child;
console.log(events, bound());
