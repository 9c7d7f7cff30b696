/** An experiment config that cannot run: every problem, one line each, naming the file. */
export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid experiment config ${file}:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}
