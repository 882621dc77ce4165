// Types for scripts/build.mjs, which is plain JavaScript so that it runs before anything is built.
export declare const repoRoot: string;
export declare const serviceRoles: readonly string[];
export declare const entries: readonly string[];
export declare const serviceNodeFlags: readonly string[];
export declare function builtPath(entry: string, root?: string): string;
export declare function build(o?: { root?: string; entryList?: readonly string[]; force?: boolean }): Promise<{ built: boolean; entries: readonly string[]; ms?: number }>;
