import type { MixinConfig } from './config.js';
import type { RecordingRules } from './recording.js';
import { fidelityAlerts } from './rules-fidelity.js';
import { healthAlerts } from './rules-health.js';
import type { AlertRule } from './rules-spec.js';

export type { AlertCase, AlertRule } from './rules-spec.js';

/**
 * The alert rules, with a promtool case that fires and one that does not for every alert.
 * Thresholds come from `fidelity_score_threshold` where the exporter serves one; the rest are
 * MixinConfig settings. The recording rules are in recording.ts, the exporter process's alerts in
 * exporter-process.ts.
 */

export function alertRules(config: MixinConfig, rec: RecordingRules): AlertRule[] {
  return [...fidelityAlerts(config, rec), ...healthAlerts(config, rec)];
}
