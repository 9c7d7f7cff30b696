/**
 * Progress lines for long stages: step, rate and ETA, at most every `everyMs`.
 *
 * The rate counts training steps only: it is measured from the first step reported, not from
 * when the reporter was made, so start-up (loading code, starting worker threads, drawing the
 * first batches) never makes the first ETA a multiple of the real one.
 */
export interface ProgressReporter {
  tick(step: number, extra?: string): void;
  done(extra?: string): void;
}

export interface ProgressOptions {
  /** Least time between two lines (ms). */
  everyMs?: number;
  /** What `unitsPerStep` counts, e.g. "instance-samples". */
  unit?: string;
  unitsPerStep?: number;
  write?: (line: string) => void;
  /** The clock in ms (tests pass a fake one). */
  now?: () => number;
}

const fmtTime = (s: number) =>
  s >= 90
    ? `${Math.floor(s / 60)}m${Math.round(s % 60)
        .toString()
        .padStart(2, "0")}s`
    : `${s.toFixed(1)}s`;

export function progressReporter(label: string, totalSteps: number, options: ProgressOptions = {}): ProgressReporter {
  const { everyMs = 5000, unit = "steps", unitsPerStep = 1, write = (l) => process.stderr.write(l + "\n"), now = Date.now } = options;
  const start = now();
  let last = start;
  /** The first step reported and when: the origin of the rate. */
  let origin: { step: number; at: number } | null = null;

  const line = (step: number, extra?: string) => {
    const at = now();
    const elapsed = (at - start) / 1000;
    const span = origin ? (at - origin.at) / 1000 : 0;
    const rate = origin && span > 0 && step > origin.step ? (step - origin.step) / span : NaN;
    const eta = Number.isFinite(rate) ? (totalSteps - step) / rate : NaN;
    const pct = ((100 * step) / totalSteps).toFixed(0).padStart(3);
    const rateText = Number.isFinite(rate) ? `${rate.toFixed(1)} steps/s` : "rate ?";
    const throughput = unitsPerStep !== 1 && Number.isFinite(rate) ? `, ${(rate * unitsPerStep).toExponential(2)} ${unit}/s` : "";
    return `[${label}] ${pct}% step ${step}/${totalSteps} (${rateText}${throughput}, elapsed ${fmtTime(elapsed)}, ETA ${Number.isFinite(eta) ? fmtTime(eta) : "?"})${extra ? " " + extra : ""}`;
  };
  return {
    tick(step, extra) {
      const at = now();
      if (origin === null && step > 0) origin = { step, at };
      if (at - last < everyMs) return;
      last = at;
      write(line(step, extra));
    },
    done(extra) {
      write(line(totalSteps, extra));
    },
  };
}
