export declare function experimentNameProblem(name: string): string | null;
export declare const RESERVED_NAMES: readonly string[];
