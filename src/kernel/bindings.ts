/**
 * The notebook's shared top-level scope: one binding per name across all cells, as in a REPL.
 * Converted cells read and write shared names as properties of {@link CellBindings.scope}
 * (`exports.<name>`, see cellTransforms.ts); each property is an accessor whose setter also
 * updates every cell-local copy of the name that a function may still read (registered with
 * {@link CellBindings.link}). A plain object with accessors rather than a Proxy: property access
 * through a Proxy costs microseconds, which a loop over a shared variable multiplies.
 */

/** The shared scope and the calls converted cells make on it. */
export interface CellBindings {
  /** The object converted cells receive as `exports`. */
  readonly scope: Record<string, unknown>;
  /** Makes `names` shared bindings (idempotent); called first thing by every cell. */
  declare(...names: string[]): void;
  /** Registers a setter that keeps one cell's own variable equal to the shared value. */
  link(name: string, set: (value: unknown) => void): void;
  /** Reads and clears a binding the cell set (the last-expression variable), if it did. */
  take(name: string): { found: true; value: unknown } | { found: false };
}

const UNSET: unique symbol = Symbol("unset");

interface Slot {
  value: unknown;
  readonly setters: Set<(value: unknown) => void>;
  /** True while the setters run: a setter's own assignment is mirrored back here. */
  propagating: boolean;
}

/** Creates an empty shared scope. */
export function createCellBindings(): CellBindings {
  const scope: Record<string, unknown> = {};
  const slots = new Map<string, Slot>();

  const slotOf = (name: string): Slot => {
    const slot = slots.get(name);
    if (slot) return slot;
    const created: Slot = { value: UNSET, setters: new Set(), propagating: false };
    slots.set(name, created);
    Object.defineProperty(scope, name, {
      enumerable: true,
      configurable: true,
      get: () => (created.value === UNSET ? undefined : created.value),
      set: (value: unknown) => assign(created, value),
    });
    return created;
  };

  const assign = (slot: Slot, value: unknown) => {
    slot.value = value;
    if (slot.propagating || slot.setters.size === 0) return;
    slot.propagating = true;
    try {
      for (const set of slot.setters) set(value);
    } finally {
      slot.propagating = false;
    }
  };

  return {
    scope,
    declare(...names) {
      for (const name of names) slotOf(name);
    },
    link(name, set) {
      slotOf(name).setters.add(set);
    },
    take(name) {
      const slot = slots.get(name);
      if (!slot || slot.value === UNSET) return { found: false };
      const value = slot.value;
      slot.value = UNSET;
      return { found: true, value };
    },
  };
}
