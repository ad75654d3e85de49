import { z } from 'zod';
import { duration, positiveInt, secret } from './fields.js';

/**
 * A configuration source of an environment, read by `config` checks: a file, an HTTP endpoint
 * returning JSON, or a map of environment variables (inline or from a .env file).
 */

export const configFormats = ['json', 'yaml', 'toml', 'ini', 'env', 'properties'] as const;
export type ConfigFormat = (typeof configFormats)[number];

const httpUrl = z
  .string()
  .refine(
    (value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    },
    { error: 'must be an absolute http(s) URL' },
  )
  // The URL may carry a token in its query string: it is a secret like header values.
  .transform((value) => secret.parse(value));

/** Environment variable values are text; YAML numbers and booleans are taken as written. */
const envValue = z.union([z.string(), z.number(), z.boolean()]).transform((value) => String(value));

const KINDS = ['file', 'url', 'env', 'env_file'] as const;

export const configSourceSchema = z
  .strictObject({
    file: z.string().min(1).optional(),
    url: httpUrl.optional(),
    env: z.record(z.string(), envValue).optional(),
    env_file: z.string().min(1).optional(),
    format: z.enum(configFormats).optional(),
    headers: z.record(z.string(), secret).optional(),
    /** Every value of this source is a secret: differences show as "differs", never a value. */
    secret: z.boolean().default(false),
    timeout: duration.optional(),
    max_bytes: positiveInt.default(10 * 1024 * 1024),
  })
  .superRefine((source, ctx) => {
    const set = KINDS.filter((kind) => source[kind] !== undefined);
    if (set.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `set exactly one of ${KINDS.join(', ')}${set.length > 1 ? ` (found ${set.join(', ')})` : ''}`,
      });
      return;
    }
    if (source.headers !== undefined && source.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['headers'], message: 'only an url source sends headers' });
    }
    if (source.timeout !== undefined && source.url === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'only an url source has a timeout' });
    }
    if (source.format !== undefined && source.file === undefined && !(source.url !== undefined && source.format === 'json')) {
      ctx.addIssue({
        code: 'custom',
        path: ['format'],
        message: source.url !== undefined ? 'an url source returns json' : 'only a file source takes a format',
      });
    }
  });

export type ConfigSourceConfig = z.output<typeof configSourceSchema>;
