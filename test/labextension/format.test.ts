import { describe, expect, it } from "vitest";
import {
  formatAgo,
  formatCount,
  formatDuration,
  formatPercent,
  formatPsnr,
  formatRate,
  isStale,
} from "../../labextension/src/format.js";

describe("lab extension formatters", () => {
  it("formats durations by magnitude", () => {
    expect(formatDuration(3.25)).toBe("3.3 s");
    expect(formatDuration(42.4)).toBe("42 s");
    expect(formatDuration(245)).toBe("4 min 05 s");
    expect(formatDuration(3720)).toBe("1 h 02 min");
    expect(formatDuration(null)).toBe("–");
    expect(formatDuration(-1)).toBe("–");
  });

  it("formats percentages, counts, PSNR and rates", () => {
    expect(formatPercent(62.5)).toBe("62.5 %");
    expect(formatPercent(130)).toBe("100.0 %");
    expect(formatCount(1234567)).toBe("1\u2009234\u2009567");
    expect(formatCount(999)).toBe("999");
    expect(formatPsnr(24.312)).toBe("24.31 dB");
    expect(formatPsnr(null)).toBe("–");
    expect(formatRate(12.6)).toBe("13 steps/s");
    expect(formatRate(3.21)).toBe("3.2 steps/s");
    expect(formatRate(0.456)).toBe("0.46 steps/s");
    expect(formatRate(0)).toBe("–");
  });

  it("says how long ago, and when a job is stale", () => {
    const now = 1_000_000_000;
    expect(formatAgo(now / 1000 - 2, now)).toBe("just now");
    expect(formatAgo(now / 1000 - 40, now)).toBe("40 s ago");
    expect(formatAgo(now / 1000 - 300, now)).toBe("5 min ago");
    expect(formatAgo(now / 1000 - 3 * 3600, now)).toBe("3 h ago");
    expect(formatAgo(null, now)).toBe("never");
    expect(isStale(now / 1000 - 301, 300, now)).toBe(true);
    expect(isStale(now / 1000 - 299, 300, now)).toBe(false);
    expect(isStale(null, 300, now)).toBe(false);
    expect(isStale(now / 1000 - 1e6, 0, now)).toBe(false);
  });
});
