// Errors the runtime raises name the expression that failed, as the user wrote it.
const settings = { steps: 3 } as { steps: number; run?: () => void };
const list: number[] | undefined = undefined as number[] | undefined;
function notAFunction() { return 1; }
try { const local = { go: undefined as unknown as () => void }; local.go(); } catch (e) { console.log((e as Error).message); }
try { list!.push(1); } catch (e) { console.log((e as Error).message); }
const maybe = undefined as unknown as typeof notAFunction;
try { [1].map(maybe); } catch (e) { console.log((e as Error).message); }
settings.run!();
