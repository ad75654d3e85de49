/** The score dimensions; each check kind feeds one. */
export const dimensions = ['data', 'config', 'behavior', 'freshness', 'error_detection', 'privacy'] as const;
export type Dimension = (typeof dimensions)[number];
