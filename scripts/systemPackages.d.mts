export declare const SYSTEM_PACKAGES: Readonly<Record<string, string>>;
export declare function missingPackages(names?: readonly string[]): string[];
export declare function ensureSystemPackages(names?: readonly string[]): void;
