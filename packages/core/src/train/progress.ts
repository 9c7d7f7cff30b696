/** Progress lines for long stages: step, rate and ETA, at most every `everyMs`. */
export interface ProgressReporter {
  tick(step: number, extra?: string): void;
  done(extra?: string): void;
}

export function progressReporter(
  label: string,
  totalSteps: number,
  options: { everyMs?: number; unit?: string; unitsPerStep?: number; write?: (line: string) => void } = {},
): ProgressReporter {
  const { everyMs = 5000, unit = "steps", unitsPerStep = 1, write = (l) => process.stderr.write(l + "\n") } = options;
  const start = Date.now();
  let last = start;
  const fmtTime = (s: number) => (s >= 90 ? `${Math.floor(s / 60)}m${Math.round(s % 60).toString().padStart(2, "0")}s` : `${s.toFixed(1)}s`);
  const line = (step: number, extra?: string) => {
    const elapsed = (Date.now() - start) / 1000;
    const rate = step / Math.max(elapsed, 1e-9);
    const eta = rate > 0 ? (totalSteps - step) / rate : Infinity;
    const pct = ((100 * step) / totalSteps).toFixed(0).padStart(3);
    const throughput = unitsPerStep !== 1 ? `, ${(rate * unitsPerStep).toExponential(2)} ${unit}/s` : "";
    return `[${label}] ${pct}% step ${step}/${totalSteps} (${rate.toFixed(1)} steps/s${throughput}, elapsed ${fmtTime(elapsed)}, ETA ${Number.isFinite(eta) ? fmtTime(eta) : "?"})${extra ? " " + extra : ""}`;
  };
  return {
    tick(step, extra) {
      const now = Date.now();
      if (now - last < everyMs) return;
      last = now;
      write(line(step, extra));
    },
    done(extra) {
      write(line(totalSteps, extra));
    },
  };
}
