// Namespaces with functions, values and nested namespaces.
namespace Geo {
  export const pi = 3;
  export function area(r: number) { return pi * r * r; }
  export namespace Units { export const meter = "m"; }
}
console.log(Geo.area(2), Geo.Units.meter);
const afterGeo = Geo.pi + 1;
console.log(afterGeo);
import Units = Geo.Units;
console.log(Units.meter.repeat(2));
