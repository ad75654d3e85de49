import { z } from 'zod';
import cron from 'node-cron';
import { parseDuration } from './duration.js';
import { Secret } from './secret.js';

/** Reusable field types of the configuration schema. */

/** Names that end up as label values: config identifiers only, never free text. */
export const identifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,99}$/, {
  error: 'must be an identifier (letters, digits, "_", "-", "."; starting with a letter or "_")',
});

export const duration = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = typeof value === 'number' ? value * 1000 : parseDuration(value);
  if (ms === null || ms < 0) {
    ctx.addIssue({ code: 'custom', message: `invalid duration "${String(value)}" (examples: 500ms, 30s, 5m, 1h)` });
    return z.NEVER;
  }
  return ms;
});

export const cronExpression = z.string().refine((expr) => cron.validate(expr), {
  error: (issue) => `invalid cron expression "${String(issue.input)}"`,
});

export const secret = z.string().transform((value) => new Secret(value));

export const positiveInt = z.number().int().positive();

/** What values in examples look like when they leave the exporter (see compare/privacy.ts, docs/privacy.md). */
export const examplesPolicies = ['hash', 'show', 'hide'] as const;
export const examplesPolicy = z.enum(examplesPolicies);

/** Column names whose values are personal data whatever they look like. */
export const sensitiveColumns = z.array(z.string().min(1));
