import { randomBytes } from 'node:crypto';
import type { CheckResult, CommonCheck } from '../checks/check.js';
import { maskingPrivacy } from '../checks/masking.js';
import { builtinDetectorNames, createDetectors, type Detector } from '../compare/detectors.js';
import { protectDetails, protectText, type PrivacyRules } from '../compare/privacy.js';
import type { RootConfig } from '../config/schema.js';

/**
 * The examples policy of a configuration, applied where every result enters the results store, so
 * that the API, the HTML report and its history, `run`'s outputs, log lines and /metrics only ever
 * see protected values (docs/privacy.md). What it knows:
 * - detectors: all built-in ones plus every masking check's own patterns;
 * - sensitive columns per database: `sensitive_columns` of the database (any environment), the
 *   columns masking checks mask, and the columns masking samples flag (added as they are found);
 * - per check: its policy (`examples`, else `defaults.examples`) and own `sensitive_columns`.
 */

/** Key of `hash` marks when none is configured: one per process, so marks line up across reloads. */
const PROCESS_HASH_KEY = randomBytes(32);

function databaseOf(check: CommonCheck): string | undefined {
  const database = (check as CommonCheck & { database?: unknown }).database;
  return typeof database === 'string' ? database : undefined;
}

function keyOf(check: CommonCheck): string[] {
  const key = (check as CommonCheck & { key?: unknown }).key;
  return Array.isArray(key) ? key.filter((column): column is string => typeof column === 'string') : [];
}

const lower = (names: Iterable<string>) => [...names].map((name) => name.toLowerCase());

export class ExamplesPrivacy {
  private readonly detectors: Detector[];
  private readonly hashKey: string | Buffer;
  private readonly declared = new Map<string, Set<string>>();
  private readonly flagged = new Map<string, Set<string>>();

  constructor(
    private readonly root: RootConfig,
    checks: readonly CommonCheck[],
  ) {
    const masking = checks.map(maskingPrivacy).filter((entry) => entry !== undefined);
    this.detectors = createDetectors({
      builtins: builtinDetectorNames,
      patterns: Object.assign({}, ...masking.map((entry) => entry.patterns)) as Record<string, string>,
      allowedEmailDomains: masking.flatMap((entry) => entry.allowedEmailDomains),
    });
    this.hashKey = root.defaults.examples_hash_key?.reveal() ?? PROCESS_HASH_KEY;
    for (const environment of Object.values(root.environments)) {
      for (const [name, database] of Object.entries(environment.databases)) this.declare(name, database.sensitive_columns);
    }
    for (const entry of masking) this.declare(entry.database, entry.masked);
  }

  private declare(database: string, columns: Iterable<string>): void {
    const set = this.declared.get(database) ?? new Set();
    for (const column of lower(columns)) set.add(column);
    this.declared.set(database, set);
  }

  /** Keeps the columns masking samples flagged under the configuration this one replaces. */
  inheritFlagged(previous: ExamplesPrivacy): void {
    for (const [database, columns] of previous.flagged) this.flag({ database, columns: [...columns] });
  }

  /** Records columns a sample found personal data in; true when one is new. */
  flag(found: CheckResult['personalColumns']): boolean {
    if (!found) return false;
    const set = this.flagged.get(found.database) ?? new Set();
    const before = set.size;
    for (const column of lower(found.columns)) set.add(column);
    this.flagged.set(found.database, set);
    return set.size > before;
  }

  rulesFor(check: CommonCheck): PrivacyRules {
    const database = databaseOf(check);
    const sensitive = new Set([
      ...lower(check.sensitive_columns ?? []),
      ...(database === undefined ? [] : [...(this.declared.get(database) ?? []), ...(this.flagged.get(database) ?? [])]),
    ]);
    return {
      policy: check.examples ?? this.root.defaults.examples,
      detectors: this.detectors,
      hashKey: this.hashKey,
      sensitive,
      key: new Set(lower(keyOf(check))),
    };
  }

  /** A result as it may leave the exporter: details, summary and label values protected. */
  protectResult(check: CommonCheck, result: CheckResult, again = false): CheckResult {
    const rules = { ...this.rulesFor(check), again };
    const series: CheckResult['series'] = result.series.map((series) => ({
      ...series,
      labels: Object.fromEntries(Object.entries(series.labels).map(([name, value]) => [name, protectText(value, rules)])),
    }));
    return {
      ...result,
      summary: protectText(result.summary, rules),
      series,
      details: protectDetails(result.details, rules) as Record<string, unknown>,
    };
  }

  /** An error message (a server may quote a value in it) as it may leave the exporter. */
  protectMessage(check: CommonCheck, message: string): string {
    return protectText(message, this.rulesFor(check));
  }

  /** Whether results of this check read the database whose sensitive columns just grew. */
  readsDatabase(check: CommonCheck, database: string): boolean {
    return databaseOf(check) === database;
  }
}
