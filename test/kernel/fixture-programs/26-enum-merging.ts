// An enum declared in two statements merges into one, as in one script.
enum Level { Low = 1, Mid }
console.log(Level.Mid);
enum Level { High = 10, Top }
console.log(Level.Low, Level.High, Level.Top, Level[11]);
console.log(Object.keys(Level).filter((k) => isNaN(Number(k))));
