/**
 * A stage failure whose message is the whole story — what failed, where, and what to do — on
 * one line. The stage CLI prints it without a stack trace, which would only bury the fix.
 */
export class StageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StageError";
  }
}
