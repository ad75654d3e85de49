import { z } from 'zod';
import { identifier } from '../config/fields.js';

/**
 * Events posted to /api/v1/events by pipelines and incident tooling. Strict: unknown keys are
 * rejected. Environment names must be configured environments (they become label values);
 * release and run ids are free text kept in memory only, never in labels.
 */

const freeText = z.string().min(1).max(200);
const time = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time such as 2026-11-23T16:00:00Z' });

const common = {
  /** When it happened; default: when the exporter received it. */
  at: time.optional(),
};

export const eventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('provisioning_started'),
    environment: identifier,
    /** Tells concurrent provisionings of one environment apart; default "default". */
    run: freeText.optional(),
    ...common,
  }),
  z.strictObject({
    type: z.literal('provisioning_finished'),
    environment: identifier,
    run: freeText.optional(),
    outcome: z.enum(['success', 'failure']).default('success'),
    /** The duration, when the pipeline measured it itself (no provisioning_started needed). */
    duration_seconds: z
      .number()
      .nonnegative()
      .max(30 * 86_400)
      .optional(),
    ...common,
  }),
  z.strictObject({
    type: z.literal('deployment'),
    environment: identifier,
    release: freeText,
    ...common,
  }),
  z.strictObject({
    type: z.literal('staging_verdict'),
    release: freeText,
    verdict: z.enum(['pass', 'fail']),
    ...common,
  }),
  z.strictObject({
    type: z.literal('production_incident'),
    release: freeText,
    /** The incident's id in the incident tool; repeated posts of one id count once. */
    incident: freeText.optional(),
    ...common,
  }),
]);

export type FidelityEvent = z.output<typeof eventSchema>;
