// Class expressions and mixins defined in one statement, applied in later ones.
type Ctor<T = object> = new (...args: any[]) => T;
function Timestamped<B extends Ctor>(Base: B) {
  return class extends Base { stamp = 42; };
}
function Named<B extends Ctor>(Base: B) {
  return class Named extends Base { label() { return `named ${this.constructor.name}`; } };
}
class Plain { v = 1; }
const Both = Named(Timestamped(Plain));
const thing = new Both();
console.log(thing.v, thing.stamp, thing.label(), Both.name);
const Anon = class { x = 3; };
console.log(Anon.name, new Anon().x);
