/**
 * Shared argument checks for the metrics: every metric takes flat row-major matrices plus their
 * dimensions, and a wrong dimension would otherwise give a plausible-looking wrong number.
 */

/** A dense row-major matrix as the metrics take it. */
export type FloatArray = Float32Array | Float64Array;

export function assertDims(fn: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v <= 0) throw new Error(`${fn}: ${name} must be a positive integer, got ${v}`);
  }
}

export function assertMatrix(fn: string, name: string, values: ArrayLike<number>, rows: number, cols: number): void {
  if (values.length !== rows * cols) {
    throw new Error(`${fn}: ${name} has ${values.length} values, expected ${rows}×${cols} = ${rows * cols}`);
  }
}
