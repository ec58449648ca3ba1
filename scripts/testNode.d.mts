export declare const NODE_MAJOR: number;
export declare function cacheDir(): string;
export declare function ensureTestNode(): string;
export declare function testNodeEnv(env?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
