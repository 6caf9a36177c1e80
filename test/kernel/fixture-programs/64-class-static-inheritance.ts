// Static members are inherited; `super` in static methods; `new.target`.
class Registry {
  static items: string[] = [];
  static add(x: string) { this.items.push(x); return this; }
  static describe() { return `${this.name}: ${this.items.length}`; }
  constructor() { console.log("new", new.target.name); }
}
class Special extends Registry {
  static override describe() { return `special ${super.describe()}`; }
}
Registry.add("a");
Special.add("b");
console.log(Special.describe(), Registry.items, Special.items === Registry.items);
new Special();
