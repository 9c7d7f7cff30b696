/**
 * Number formatting for labels and tables. Figures and the report show the
 * same values, so they share these rules.
 */

const SUPERSCRIPT: Readonly<Record<string, string>> = {
  "0": "⁰",
  "1": "¹",
  "2": "²",
  "3": "³",
  "4": "⁴",
  "5": "⁵",
  "6": "⁶",
  "7": "⁷",
  "8": "⁸",
  "9": "⁹",
  "-": "⁻",
  "+": "",
};

/** "−4" → "⁻⁴". */
export function superscript(text: string): string {
  return [...text].map((c) => SUPERSCRIPT[c] ?? c).join("");
}

/** Typographic minus (U+2212) instead of a hyphen in front of negative numbers. */
export function minus(text: string): string {
  return text.startsWith("-") ? `−${text.slice(1)}` : text;
}

/**
 * Scientific notation as people write it: 3e-4 → "3×10⁻⁴", 1.5e6 → "1.5×10⁶".
 * `digits` is the number of significant digits kept (trailing zeros dropped),
 * default 3; the mantissa is always shown so that a grid's labels line up.
 */
export function formatScientific(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return formatNonFinite(value);
  if (value === 0) return "0";
  // toExponential does the rounding, including 9.999e-5 → "1.00e-4".
  const { mantissa, exponent } = exponential(value, Math.max(0, digits - 1));
  const trimmed = mantissa.includes(".") ? mantissa.replace(/\.?0+$/, "") : mantissa;
  return `${minus(trimmed)}×10${superscript(String(exponent))}`;
}

/** `value.toExponential(decimals)` split into its mantissa text and exponent (a finite `value`). */
export function exponential(value: number, decimals: number): { mantissa: string; exponent: number } {
  const text = value.toExponential(decimals);
  const at = text.indexOf("e");
  if (at < 0) throw new Error(`exponential: ${text} (from ${value}) has no exponent`);
  return { mantissa: text.slice(0, at), exponent: Number(text.slice(at + 1)) };
}

/**
 * A short label for a hyperparameter such as λ: plain decimals in the usual
 * range ("0.03", "1"), scientific notation outside it.
 */
export function formatCompact(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return formatNonFinite(value);
  const magnitude = Math.abs(value);
  if (value !== 0 && (magnitude < 1e-3 || magnitude >= 1e5)) return formatScientific(value, digits);
  return minus(String(Number(value.toPrecision(digits))));
}

export interface FormatNumberOptions {
  /** Significant digits for non-integers; default 4. */
  digits?: number;
}

/**
 * A number for a table cell: integers in full with thousands separators,
 * other values with a fixed number of significant digits (so a column reads
 * evenly), scientific notation when very small or very large, and words for
 * NaN and infinities (a diverged run's loss).
 */
export function formatNumber(value: number, options: FormatNumberOptions = {}): string {
  const { digits = 4 } = options;
  if (!Number.isFinite(value)) return formatNonFinite(value);
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return minus(value.toLocaleString("en-US"));
  const magnitude = Math.abs(value);
  if (magnitude < 1e-3 || magnitude >= 1e6) return formatScientific(value, digits);
  // Trailing zeros would claim precision the value does not have ("0.01000").
  return minus(
    value
      .toPrecision(digits)
      .replace(/(\.\d*?)0+$/, "$1")
      .replace(/\.$/, ""),
  );
}

/** Words for NaN and the infinities (a diverged run's loss). */
export function formatNonFinite(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  return value > 0 ? "∞" : "−∞";
}
