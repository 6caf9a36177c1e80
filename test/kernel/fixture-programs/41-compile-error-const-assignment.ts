// Assigning to a const from a later statement is a type error, split or not.
const limit = 3;
console.log(limit);
limit = 4;
