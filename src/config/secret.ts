import { inspect } from 'node:util';

const REDACTED = '<secret>';

/**
 * A value that must never be printed: DSNs, tokens, header values, anything read from a secret file.
 * Every way JavaScript turns an object into text yields "<secret>"; only reveal() gives the value,
 * and only connectors call it.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
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
