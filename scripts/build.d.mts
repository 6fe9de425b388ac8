/** Entry points bundled into dist/, by output name. */
export declare const ENTRIES: Record<string, string>;
/** Bundles every entry point into dist/. */
export declare function build(): Promise<void>;
/** Builds dist/ unless it is newer than every source file. */
export declare function ensureBuilt(): Promise<void>;
