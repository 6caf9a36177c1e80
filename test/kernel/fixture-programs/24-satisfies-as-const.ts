// `satisfies` and `as const` keep literal types; values are ordinary.
type Mode = "fast" | "slow";
const presets = { draft: { mode: "fast", steps: 100 }, final: { mode: "slow", steps: 3000 } } satisfies Record<string, { mode: Mode; steps: number }>;
const modes = ["fast", "slow"] as const;
const chosen: Mode = presets.draft.mode;
console.log(chosen, presets.final.steps, modes.length);
const lookup = Object.fromEntries(modes.map((m, i) => [m, i])) satisfies Record<string, number>;
console.log(lookup);
