/**
 * `values[index]`, or a RangeError naming `what` when there is no value there. For indexing whose
 * range the code cannot show locally, in the files checked with noUncheckedIndexedAccess
 * (tsconfig.strict.json): a missing value fails with its name instead of flowing on as undefined.
 */
export function valueAt<T>(values: ArrayLike<T>, index: number, what: string): T {
  const value = values[index];
  if (value === undefined) throw new RangeError(`${what}: no value at index ${index} (of ${values.length})`);
  return value;
}
