import type { Expr } from './promql.js';
import type { InputSeries } from './recording.js';

/** The shape of an alert rule and its promtool cases. */
export type Severity = 'warning' | 'critical';

/** One promtool case: input series (without job/instance) and the alerts expected at `at`. */
export interface AlertCase {
  series: InputSeries;
  /** Minutes after the start at which the alert is evaluated. */
  at: number;
  /**
   * Expected alerts. The test target's `job` and `instance` labels are added (`target: 'instance'`,
   * the default), only `job` for rules that aggregate replicas, or none (`target: false`).
   */
  expect: Array<{ labels: Record<string, string>; summary: string; description: string; target?: 'instance' | 'job' | false }>;
}

export interface AlertRule {
  alert: string;
  expr: Expr;
  /** Seconds the condition must hold; at least two scrape intervals so one bad scrape never pages. */
  forSeconds: number;
  severity: Severity;
  summary: string;
  description: string;
  fires: AlertCase;
  quiet: AlertCase;
  /** Further cases (either kind). */
  more?: AlertCase[];
}
