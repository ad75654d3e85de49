import { isIPv4, isIPv6 } from 'node:net';

/**
 * Detectors of personal data and secrets in text values, for `masking` checks. Pure functions:
 * a detector answers "does this value contain X?", nothing else. Callers must never keep, log or
 * show the values they scan; only detector names and counts leave this module.
 */

export const builtinDetectorNames = ['email', 'phone', 'card', 'iban', 'ip', 'token'] as const;
export type BuiltinDetectorName = (typeof builtinDetectorNames)[number];

export interface Detector {
  readonly name: string;
  /** True when the value contains at least one match. */
  test(value: string): boolean;
}

/**
 * Domains reserved for documentation and testing (RFC 2606, RFC 6761): addresses under them are
 * what masking tools produce, not personal data.
 */
export const reservedEmailDomains = ['example.com', 'example.net', 'example.org', 'example', 'invalid', 'test', 'localhost'] as const;

/** Long values are scanned up to this many characters, so one huge value cannot stall a sample. */
export const MAX_SCANNED_LENGTH = 16_384;

/**
 * True when some match of the global `pattern` in `value` is accepted. exec() on the shared
 * expression rather than matchAll(), which copies the expression on every call (the hot path).
 */
function someMatch(pattern: RegExp, value: string, accept: (match: RegExpExecArray) => boolean): boolean {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(value); match !== null; match = pattern.exec(value)) {
    if (accept(match)) {
      pattern.lastIndex = 0;
      return true;
    }
    if (match[0] === '') pattern.lastIndex += 1;
  }
  return false;
}

/** Digits in the value: a cheap pre-filter before the number detectors run their expressions. */
function digitCount(value: string, enough: number): number {
  let count = 0;
  for (let i = 0; i < value.length && count < enough; i += 1) {
    const code = value.charCodeAt(i);
    if (code >= 48 && code <= 57) count += 1;
  }
  return count;
}

const EMAIL = /[A-Za-z0-9._%+-]{1,64}@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63})(?![A-Za-z0-9-])/g;

function domainAllowed(domain: string, allowed: readonly string[]): boolean {
  const lower = domain.toLowerCase();
  return allowed.some((entry) => lower === entry || lower.endsWith(`.${entry}`));
}

export function emailDetector(allowedDomains: readonly string[] = reservedEmailDomains): Detector {
  const allowed = allowedDomains.map((domain) => domain.toLowerCase().replace(/^\.+/, ''));
  return {
    name: 'email',
    test(value) {
      if (!value.includes('@')) return false;
      return someMatch(EMAIL, value, (match) => !domainAllowed(match[1] ?? '', allowed));
    },
  };
}

/** Luhn (mod 10) check over a string of digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i -= 1) {
    let digit = digits.charCodeAt(i) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the major card networks (random Luhn-valid digits rarely fit both). */
function cardNetworkFits(digits: string): boolean {
  const length = digits.length;
  const prefix2 = Number(digits.slice(0, 2));
  const prefix3 = Number(digits.slice(0, 3));
  const prefix4 = Number(digits.slice(0, 4));
  const prefix6 = Number(digits.slice(0, 6));
  if (digits.startsWith('4')) return length === 13 || length === 16 || length === 19; // Visa
  if ((prefix2 >= 51 && prefix2 <= 55) || (prefix4 >= 2221 && prefix4 <= 2720)) return length === 16; // Mastercard
  if (prefix2 === 34 || prefix2 === 37) return length === 15; // American Express
  if (prefix4 === 6011 || prefix2 === 65 || (prefix3 >= 644 && prefix3 <= 649) || (prefix6 >= 622126 && prefix6 <= 622925)) {
    return length >= 16 && length <= 19; // Discover
  }
  if (prefix4 >= 3528 && prefix4 <= 3589) return length >= 16 && length <= 19; // JCB
  if (prefix2 === 36 || prefix2 === 38 || prefix2 === 39 || (prefix3 >= 300 && prefix3 <= 305)) return length >= 14 && length <= 19; // Diners
  if (prefix2 === 62) return length >= 16 && length <= 19; // UnionPay
  if (prefix2 === 50 || (prefix2 >= 56 && prefix2 <= 69)) return length >= 12 && length <= 19; // Maestro
  return false;
}

/** 13..19 digits, optionally grouped by single spaces or dashes, not part of a longer number. */
const CARD_CANDIDATE = /(?<![\d.,-])\d(?:[ -]?\d){12,18}(?![\d]|[.,]\d)/g;

export function cardDetector(): Detector {
  return {
    name: 'card',
    test(value) {
      if (digitCount(value, 13) < 13) return false;
      return someMatch(CARD_CANDIDATE, value, (match) => {
        const digits = match[0].replace(/[ -]/g, '');
        return digits.length >= 13 && digits.length <= 19 && cardNetworkFits(digits) && luhnValid(digits);
      });
    },
  };
}

/** IBAN length by country (ISO 13616 registry). */
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SC: 31,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
};

/** ISO 7064 mod 97-10 over an IBAN without spaces: valid when the remainder is 1. */
export function ibanValid(iban: string): boolean {
  const compact = iban.replace(/ /g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  if (IBAN_LENGTHS[compact.slice(0, 2)] !== compact.length) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const digits = code >= 65 ? String(code - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** Compact or printed in groups of four ("DE89 3704 0044 0532 0130 00"). */
const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{1,4}){3,8}(?![A-Za-z0-9])/g;

export function ibanDetector(): Detector {
  return {
    name: 'iban',
    test(value) {
      if (value.length < 15 || digitCount(value, 4) < 4) return false;
      return someMatch(IBAN_CANDIDATE, value, (match) => {
        // The candidate may run into a following word ("... 3000 EUR"): cut it at the country's length.
        const compact = match[0].replace(/ /g, '').toUpperCase();
        const length = IBAN_LENGTHS[compact.slice(0, 2)];
        return length !== undefined && ibanValid(compact.slice(0, length));
      });
    },
  };
}

function ipv4NotPersonal(address: string): boolean {
  const [a = 0, b = 0, c = 0] = address.split('.').map(Number);
  if (a === 0 || a === 127) return true; // unspecified, loopback
  if (a === 255 && b === 255) return true; // broadcast
  // Documentation ranges (RFC 5737): what test data uses on purpose.
  return (a === 192 && b === 0 && c === 2) || (a === 198 && b === 51 && c === 100) || (a === 203 && b === 0 && c === 113);
}

function ipv6NotPersonal(address: string): boolean {
  const lower = address.toLowerCase();
  return lower === '::' || lower === '::1' || /^2001:0?db8:/.test(lower); // unspecified, loopback, documentation (RFC 3849)
}

const IPV4_CANDIDATE = /(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)/g;
const IPV6_CANDIDATE = /(?<![0-9A-Za-z:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?::\d{1,3}(?:\.\d{1,3}){3})?(?![0-9A-Za-z:])/g;

export function ipDetector(): Detector {
  return {
    name: 'ip',
    test(value) {
      if (digitCount(value, 2) < 2 && !value.includes('::')) return false;
      if (value.includes('.') && someMatch(IPV4_CANDIDATE, value, (match) => isIPv4(match[0]) && !ipv4NotPersonal(match[0]))) return true;
      return value.includes(':') && someMatch(IPV6_CANDIDATE, value, (match) => isIPv6(match[0]) && !ipv6NotPersonal(match[0]));
    },
  };
}

/**
 * International numbers ("+49 30 1234567", "0049 30 ..."), North American ("(555) 123-4567",
 * "555-123-4567") and grouped national numbers starting with 0 ("030 1234 5678"). Bare digit runs
 * and dates are deliberately not phones: they are mostly identifiers and amounts.
 */
const PHONE_CANDIDATE = /(?<![\w+])(?:\+|00)?\(?\d[\d ()./-]{6,20}\d(?!\w)/g;
const NANP = /^(?:\+?1[ .-]?)?(?:\(\d{3}\) ?|\d{3}[ .-])\d{3}[ .-]\d{4}$/;
const DATE_OR_TIME = /^\d{1,4}[-./]\d{1,2}[-./]\d{1,4}|\d{1,2}:\d{2}/;

function looksLikePhone(text: string): boolean {
  const digits = text.replace(/\D/g, '');
  if (digits.length < 8 || digits.length > 15) return false;
  if (DATE_OR_TIME.test(text)) return false;
  if (/^(?:\+|00)[1-9]/.test(text)) return digits.length >= 9;
  if (NANP.test(text)) return true;
  // National format: a trunk prefix 0 and at least one separator between digit groups.
  return /^\(?0[1-9]/.test(text) && /\d[ ()/-]+\d/.test(text) && digits.length >= 9 && digits.length <= 12;
}

export function phoneDetector(): Detector {
  return {
    name: 'phone',
    test(value) {
      if (digitCount(value, 8) < 8) return false;
      return someMatch(PHONE_CANDIDATE, value, (match) => looksLikePhone(match[0].trim()));
    },
  };
}

/** Credentials with a recognisable shape: provider key prefixes, JWTs, PEM private keys. */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}/, // Stripe secret / restricted keys
  /\bgh[pousr]_[0-9A-Za-z]{36,}/, // GitHub tokens
  /\bgithub_pat_[0-9A-Za-z_]{40,}/,
  /\bglpat-[0-9A-Za-z_-]{20,}/, // GitLab personal access token
  /\bxox[abposr]-[0-9A-Za-z-]{10,}/, // Slack
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, // AWS access key id
  /\bAIza[0-9A-Za-z_-]{35}/, // Google API key
  /\bnpm_[0-9A-Za-z]{36}\b/, // npm
  /\bSG\.[0-9A-Za-z_-]{22}\.[0-9A-Za-z_-]{43}/, // SendGrid
  /\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}/, // JWT (header and payload are JSON objects)
  /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/,
  /\bBearer [0-9A-Za-z._~+/-]{20,}=*/,
];

export function tokenDetector(): Detector {
  return { name: 'token', test: (value) => TOKEN_PATTERNS.some((pattern) => pattern.test(value)) };
}

/** A user-defined detector: the value contains a match of the regular expression. */
export function patternDetector(name: string, source: string): Detector {
  const pattern = new RegExp(source, 'u');
  return { name, test: (value) => pattern.test(value) };
}

/** Why a user pattern cannot be used, or null. The message never repeats the pattern. */
export function patternProblem(source: string): string | null {
  try {
    new RegExp(source, 'u');
    return null;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : 'invalid';
    return `invalid regular expression (${reason})`;
  }
}

export interface DetectorOptions {
  builtins: readonly BuiltinDetectorName[];
  patterns?: Readonly<Record<string, string>>;
  /** Email domains whose addresses are not personal data; the reserved domains are always included. */
  allowedEmailDomains?: readonly string[];
}

export function createDetectors(options: DetectorOptions): Detector[] {
  const factories: Record<BuiltinDetectorName, () => Detector> = {
    email: () => emailDetector([...reservedEmailDomains, ...(options.allowedEmailDomains ?? [])]),
    phone: phoneDetector,
    card: cardDetector,
    iban: ibanDetector,
    ip: ipDetector,
    token: tokenDetector,
  };
  return [
    ...options.builtins.map((name) => factories[name]()),
    ...Object.entries(options.patterns ?? {}).map(([name, source]) => patternDetector(name, source)),
  ];
}

/** Names of the detectors that fire on the value (each at most once). */
export function detect(value: string, detectors: readonly Detector[]): string[] {
  const scanned = value.length > MAX_SCANNED_LENGTH ? value.slice(0, MAX_SCANNED_LENGTH) : value;
  return detectors.filter((detector) => detector.test(scanned)).map((detector) => detector.name);
}
