/** Entry points bundled into dist/, by output name. */
export declare const ENTRIES: Record<string, string>;
/** Bundles every entry point into dist/ and builds the web console into dist/web. */
export declare function build(): Promise<void>;
/** Builds each part of dist/ (the bundle, the console) that is older than one of its sources. */
export declare function ensureBuilt(): Promise<void>;
