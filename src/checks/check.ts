import type { z } from 'zod';
import type { examplesPolicies } from '../config/fields.js';
import type { DefaultsConfig, EnvironmentConfig, RootConfig } from '../config/schema.js';
import type { DatabaseHandle } from '../connectors/handle.js';
import type { MetricSample } from '../metrics/catalogue.js';
import type { Logger } from '../log.js';
import type { Dimension } from '../core/dimensions.js';

/** Fields every check has once defaults are applied. */
export interface CommonCheck {
  name: string;
  kind: string;
  description?: string;
  enabled: boolean;
  baseline: string;
  candidate: string;
  schedule?: string;
  /** Interval in milliseconds when the check runs on `every` rather than a cron schedule. */
  every?: number;
  /** Per-sample deadline in milliseconds. */
  timeout: number;
  /** How values in this check's examples leave the exporter; defaults.examples when unset. */
  examples?: (typeof examplesPolicies)[number];
  /** Columns whose values are personal data whatever they look like (added to the database's). */
  sensitive_columns?: string[];
}

export type CheckConfig<Options> = CommonCheck & Options;

/** A check as its schema outputs it, before the `defaults` section fills the gaps. */
export type ParsedCheck = Omit<CommonCheck, 'baseline' | 'candidate' | 'timeout'> & {
  baseline?: string;
  candidate?: string;
  timeout?: number;
};

/** A problem found at load time; `path` is relative to the check (e.g. ["database"]). */
export interface CheckProblem {
  path: (string | number)[];
  message: string;
}

export interface ScoreContribution {
  dimension: Dimension;
  candidate: string;
  /** 0..1; the dimension score is the mean of its contributions. */
  value: number;
}

/** A score as a kind returns it: it feeds the kind's own dimension unless it names another. */
export interface KindScore {
  candidate: string;
  value: number;
  dimension?: Dimension;
}

/** What a kind's run returns: a result whose scores may leave their dimension to the kind's. */
export type KindResult = Omit<CheckResult, 'scores'> & { scores: KindScore[] };

export interface CheckResult {
  /** Whether the candidate is faithful to the baseline for this check. */
  passed: boolean;
  /**
   * Why the sample found nothing to compare although the configuration implies something (no
   * relations, no tables, zero rows on the baseline). Such a result never passes and carries no
   * score: the gate counts the check as inconclusive.
   */
  inconclusive?: string;
  /** One line for humans ("3 of 120 rows differ"). */
  summary: string;
  /** Comparison series; rendered only while the check's last sample succeeded. */
  series: MetricSample[];
  scores: ScoreContribution[];
  /**
   * Everything a person needs to see the difference (API and HTML); never secrets. Values read
   * from a compared system go in the shapes the privacy policy knows (results/privacy.ts):
   * rows as `examples: [{ key?, baseline?, candidate? }]` (records of column -> value), key values
   * as `key` or `references` records, one column's value as `{ column, ..., value }`. Any other
   * string is only scanned for personal data.
   */
  details: Record<string, unknown>;
  /** Columns of a database in which this sample found personal data: sensitive from now on. */
  personalColumns?: { database: string; columns: string[] };
}

export interface SampleContext {
  readonly signal: AbortSignal;
  /** Milliseconds left before the check's timeout. */
  remainingMs(): number;
  readonly defaults: DefaultsConfig;
  environment(side: string): EnvironmentConfig;
  database(side: string, name: string): DatabaseHandle;
  /** Per-check memory that survives between samples (windows, first-seen times). */
  readonly memory: Map<string, unknown>;
  readonly log: Logger;
}

export interface CheckKind<Options> {
  readonly kind: string;
  readonly description: string;
  readonly dimension: Dimension;
  /** Strict schema of the check: common fields plus this kind's own. */
  readonly schema: z.ZodType<ParsedCheck & Options, unknown>;
  /** Cross-references against the rest of the configuration (databases, sources, sides). */
  references?(check: CheckConfig<Options>, root: RootConfig): CheckProblem[];
  run(check: CheckConfig<Options>, context: SampleContext): Promise<KindResult>;
}

/** A kind with its option type erased, as stored in the map of kinds. */
export interface RegisteredKind {
  readonly kind: string;
  readonly description: string;
  readonly dimension: Dimension;
  readonly schema: z.ZodType<ParsedCheck, unknown>;
  references(check: CommonCheck, root: RootConfig): CheckProblem[];
  run(check: CommonCheck, context: SampleContext): Promise<CheckResult>;
}

export function registerKind<Options>(kind: CheckKind<Options>): RegisteredKind {
  return {
    kind: kind.kind,
    description: kind.description,
    dimension: kind.dimension,
    schema: kind.schema,
    references: (check, root) => kind.references?.(check as CheckConfig<Options>, root) ?? [],
    run: async (check, context) => {
      const result = await kind.run(check as CheckConfig<Options>, context);
      return { ...result, scores: result.scores.map((score) => ({ ...score, dimension: score.dimension ?? kind.dimension })) };
    },
  };
}

/** A kind's own options: what its schema outputs, less the fields every check has. */
export type KindOptions<Schema extends z.ZodType> = Omit<z.output<Schema>, keyof CommonCheck>;
