import { isCatalogued, labelsOf, prometheusMetrics, type MixinMetric } from './metrics.js';

/** A PromQL expression written against a Scope, so rules and panels can render it their own way. */
export type Expr = (s: Scope) => string;

/** A recording rule: its output name and the labels its series carry besides job (and instance). */
export interface RecordingRule {
  record: string;
  labels: readonly string[];
  /** Labels the rule sets on its output. */
  set?: Record<string, string>;
  /** False when the rule aggregates the replicas of a job away (its series have no instance). */
  perInstance?: false;
  expr: Expr;
  /** Why it exists (rendered as a comment in docs, not in YAML). */
  help: string;
}

export interface ScopeOptions {
  /** Matchers every selector gets, given the series' label names and whether it has an instance. */
  matchers(labels: readonly string[], perInstance: boolean): string[];
  timeScale: number;
  /**
   * When set (rules), gauges are read as `last_over_time(x[tolerance])`: a failed scrape writes
   * stale markers for every series of the target, and without this one failed scrape would
   * resolve a firing alert and restart every pending `for`.
   */
  toleranceSeconds?: number;
}

/** Renders seconds as a PromQL duration ("5m", "90s"), never below one second. */
export function promDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

export function available(name: string): boolean {
  return isCatalogued(name) || prometheusMetrics.includes(name);
}

/**
 * Renders selectors with the common matchers and records every metric an expression uses, so the
 * generator can leave out a rule or panel whose metrics the exporter does not serve.
 */
export class Scope {
  readonly used = new Set<string>();

  constructor(private readonly options: ScopeOptions) {}

  private selector(name: string, labels: readonly string[], extra: string | undefined, perInstance = true): string {
    const matchers = [...this.options.matchers(labels, perInstance), ...(extra ? [extra] : [])];
    return `${name}{${matchers.join(', ')}}`;
  }

  /** A gauge: `name{<common matchers>, extra}`, in rules over the scrape tolerance window. */
  m(name: MixinMetric, extra?: string): string {
    const selector = this.raw(name, extra);
    const tolerance = this.options.toleranceSeconds;
    return tolerance === undefined ? selector : `last_over_time(${selector}[${this.d(tolerance)}])`;
  }

  /** A plain selector (counters under rate(), `up`). */
  raw(name: MixinMetric | 'up', extra?: string): string {
    this.used.add(name);
    return this.selector(name, labelsOf(name), extra);
  }

  /** A recording rule's output; the metrics behind it count as used. */
  rec(rule: RecordingRule, extra?: string): string {
    rule.expr(this);
    return this.selector(rule.record, rule.labels, extra, rule.perInstance ?? true);
  }

  /** A range or offset duration, scaled by the time scale. */
  d(seconds: number): string {
    return promDuration(seconds * this.options.timeScale);
  }

  /** The parts whose metrics exist, joined by `op`; all of them when none exist (so it is left out). */
  union(parts: readonly Expr[], op = 'or'): string {
    const kept = parts.filter((part) => {
      const probe = new Scope(this.options);
      part(probe);
      return [...probe.used].every(available);
    });
    const chosen = kept.length > 0 ? kept : parts;
    if (chosen.length === 1) return chosen[0]!(this);
    return chosen.map((part) => `(${part(this)})`).join(` ${op} `);
  }

  /** Metrics used so far that neither the catalogue nor Prometheus provides. */
  missing(): string[] {
    return [...this.used].filter((name) => !available(name)).sort();
  }
}

/** Renders an expression and reports which metrics it needs that do not exist. */
export function renderExpr(expr: Expr, options: ScopeOptions): { text: string; missing: string[] } {
  const scope = new Scope(options);
  const text = expr(scope);
  return { text, missing: scope.missing() };
}
