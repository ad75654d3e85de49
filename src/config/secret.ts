import { inspect } from 'node:util';

const REDACTED = '<secret>';

/**
 * A value that must never be printed: DSNs, tokens, header values, anything read from a secret file.
 * Every way JavaScript turns an object into text yields "<secret>"; only reveal() gives the value,
 * and only connectors call it.
 */
/** Secret values shorter than this are not searched for in output: they would hit ordinary words. */
const MIN_SEARCHED_LENGTH = 6;
const known = new Set<string>();
let longestFirst: string[] = [];

/** The password of a URL (a DSN), which may be printed without the rest of the URL. */
function urlPassword(value: string): string | undefined {
  try {
    return decodeURIComponent(new URL(value).password) || undefined;
  } catch {
    return undefined;
  }
}

export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    for (const part of [value, urlPassword(value)]) {
      if (part === undefined || part.length < MIN_SEARCHED_LENGTH || known.has(part)) continue;
      known.add(part);
      longestFirst = [...known].sort((a, b) => b.length - a.length);
    }
  }

  /**
   * Every secret value this process has read (and the passwords of secret URLs), longest first:
   * output is searched for them, so a secret that reached a message by another way is still hidden.
   */
  static knownValues(): readonly string[] {
    return longestFirst;
  }

  reveal(): string {
    return this.#value;
  }

  equals(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }

  static readonly redacted = REDACTED;
}
