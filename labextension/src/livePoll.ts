/**
 * The polling policy of every live widget, on `@lumino/polling`'s Poll: a fixed interval while
 * visible, standby while the widget or the page is hidden, exponential backoff while the fetch
 * fails (a file not written yet, the server restarting), and an end once the state is final.
 */
import { Poll } from "@lumino/polling";

/** What a live widget polls and what it does with each result. */
export interface LivePollOptions<T> {
  /** Milliseconds between fetches while visible. */
  interval: number;
  /** Rejects while the state is missing; the poll then backs off up to 10× the interval. */
  fetch: () => Promise<T | undefined>;
  /** Called with each result (undefined results are skipped). */
  onData: (value: T) => void;
  /** True once nothing can change any more: the poll stops after delivering it. */
  isFinal: (value: T) => boolean;
  /** True while the widget is not shown (detached, collapsed, in a hidden tab). */
  isHidden: () => boolean;
  name: string;
}

/** Starts polling at once; dispose the returned Poll to stop early. */
export function startLivePoll<T>(options: LivePollOptions<T>): Poll {
  const frequency = { interval: options.interval, backoff: true, max: options.interval * 10 };
  const poll: Poll = new Poll({
    name: options.name,
    frequency,
    standby: () => options.isHidden() || "when-hidden",
    factory: async () => {
      const value = await options.fetch();
      if (value === undefined) return;
      options.onData(value);
      // Disposing inside the tick would reject the tick's own promise; stop right after it.
      if (options.isFinal(value)) void Promise.resolve().then(() => poll.dispose());
    },
  });
  // Poll's constructor raises `max` to at least its 30 s default; the setter keeps it as given
  // (the poll starts on a timer, so this is in time for its first tick).
  poll.frequency = frequency;
  return poll;
}
