import { z } from 'zod';
import { checkSchema } from '../config/schema.js';
import type { KindOptions } from './check.js';
import { connectionField, ignorePath, stepSchema, type RequestRun } from './http-steps.js';

/** The options of a `flow` check (flow.ts) and what one step's request gives. */

export const flowSchema = checkSchema('flow', {
  steps: z
    .array(stepSchema)
    .min(1)
    .superRefine((steps, ctx) => {
      const seen = new Set<string>();
      steps.forEach((step, index) => {
        if (seen.has(step.name)) ctx.addIssue({ code: 'custom', message: `duplicate step name "${step.name}"`, path: [index, 'name'] });
        seen.add(step.name);
      });
    }),
  /** Runs of the whole flow per sample and side. */
  iterations: z.number().int().min(1).max(100).default(3),
  connection: connectionField,
  /** JSON paths ignored in every step's body comparison. */
  ignore: z.array(ignorePath).default([]),
  /** Run the baseline twice and treat paths that differ between its runs as noise. */
  noise_cancellation: z.boolean().default(true),
  latency: z
    .strictObject({
      /** Durations kept per side (and step) across samples. */
      window: z.number().int().min(2).max(10_000).default(60),
      /** Fewer durations than this on a side: the comparison is inconclusive. */
      min_samples: z.number().int().min(2).default(10),
      alpha: z.number().gt(0).lt(1).default(0.05),
      /** A significant shift counts only beyond this ratio of medians. */
      tolerance: z.number().min(1).default(1.5),
    })
    .prefault({}),
  max_examples: z.number().int().min(0).max(1000).optional(),
});

export type FlowOptions = KindOptions<typeof flowSchema>;

export interface StepRun extends RequestRun {
  skipped?: boolean;
  mutation?: { rows: string[]; columns: string[] } | { error: string };
}
