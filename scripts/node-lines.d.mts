export declare const supportedLines: readonly number[];
export declare const oldestLine: number;
export declare const newestLine: number;
export declare function nodeBinary(major: number): string;
