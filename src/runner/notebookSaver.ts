/** Saving the output notebook while a run goes on. */
import { writeNotebook, type Notebook } from "./notebook.js";

/** Writes of one output notebook. */
export interface NotebookSaver {
  /** Writes now (serialised with any write in flight). */
  save(): Promise<void>;
  /** Writes within `everyS` seconds of the last write (during long cells). */
  saveSoon(everyS: number): void;
}

/** Serialises writes of the output notebook, so two atomic renames never race. */
export function createNotebookSaver(path: string, nb: Notebook): NotebookSaver {
  let chain: Promise<void> = Promise.resolve();
  let lastSave = 0;
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    timer = undefined;
    chain = chain.then(async () => {
      lastSave = Date.now();
      await writeNotebook(path, nb);
    });
    return chain;
  };
  return {
    save,
    saveSoon(everyS) {
      if (timer) return;
      const wait = Math.max(0, lastSave + everyS * 1000 - Date.now());
      timer = setTimeout(() => void save().catch(() => undefined), wait);
    },
  };
}
