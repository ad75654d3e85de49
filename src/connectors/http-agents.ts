import { readFileSync, statSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { errorCode, ProbeFailure } from './http-failure.js';
import type { HttpSideConfig, HttpTlsConfig } from './http-types.js';

/**
 * The prober's connections, one state per side: a keep-alive agent and a cold one, both with a
 * connector that records when DNS, TCP and TLS finished and when data last arrived (http-probe.ts
 * turns those into timings). A side whose configuration or TLS files changed gets new agents.
 */

export const now = (): bigint => process.hrtime.bigint();

export interface ConnectTimes {
  start: bigint;
  lookup?: bigint;
  connect?: bigint;
  secure?: bigint;
}

export interface SideState {
  key: string;
  agent: Agent;
  /** For `connection: cold`: keep-alive disabled (pipelining 0), so every request opens a connection. */
  coldAgent: Agent;
  /** Connections opened since the current request began (normally zero or one). */
  connects: ConnectTimes[];
  /** When a chunk last became readable on this side's sockets (requests to a side are serial). */
  lastReadAt: bigint;
  queue: Promise<void>;
  lastStart: number;
}

const sides = new Map<string, SideState>();

const TLS_FILES = { caFile: 'ca_file', certFile: 'cert_file', keyFile: 'key_file' } as const;

/** A TLS file that cannot be read: names the setting and the path, never the contents. */
function tlsFileFailure(key: keyof typeof TLS_FILES, file: string, error: unknown): ProbeFailure {
  return new ProbeFailure('config', `cannot read tls.${TLS_FILES[key]} ${file} (${errorCode(error) || 'unreadable'})`);
}

function readTlsFile(tls: HttpTlsConfig, key: keyof typeof TLS_FILES): Buffer | undefined {
  const file = tls[key];
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw tlsFileFailure(key, file, error);
  }
}

/** Modification times of the TLS files: a rotated certificate or CA bundle is picked up at the next request. */
function tlsFilesStamp(tls: HttpTlsConfig | undefined): string {
  if (!tls) return '';
  return (Object.keys(TLS_FILES) as (keyof typeof TLS_FILES)[])
    .map((key) => {
      const file = tls[key];
      if (file === undefined) return '';
      try {
        return String(statSync(file).mtimeMs);
      } catch (error) {
        throw tlsFileFailure(key, file, error);
      }
    })
    .join(',');
}

function tlsOptions(tls: HttpTlsConfig | undefined): buildConnector.BuildOptions {
  if (!tls) return {};
  return {
    ca: readTlsFile(tls, 'caFile'),
    cert: readTlsFile(tls, 'certFile'),
    key: readTlsFile(tls, 'keyFile'),
    servername: tls.serverName,
    rejectUnauthorized: !tls.insecureSkipVerify,
  };
}

/** A connector that records when DNS, TCP and TLS finished on each new socket, and when data arrives on it. */
function timedConnector(config: HttpSideConfig, state: SideState): buildConnector.connector {
  const base = buildConnector({ timeout: config.connectTimeoutMs, ...tlsOptions(config.tls) });
  return (options, callback) => {
    const times: ConnectTimes = { start: now() };
    state.connects.push(times);
    const socket = base(options, callback) as unknown as Socket | undefined;
    // Placed before undici's own listeners, so its handling (writing the request, parsing) is not counted.
    socket?.prependOnceListener('lookup', () => (times.lookup = now()));
    socket?.prependOnceListener('connect', () => (times.connect = now()));
    socket?.prependOnceListener('secureConnect', () => (times.secure = now()));
    socket?.prependListener('readable', () => (state.lastReadAt = now()));
    return socket as never;
  };
}

function newAgent(config: HttpSideConfig, keepAlive: boolean, state: SideState): Agent {
  return new Agent({
    connect: timedConnector(config, state),
    // Cold: no pool limit, so a new connection never waits for the previous one to finish closing.
    connections: keepAlive ? 1 : null,
    pipelining: keepAlive ? 1 : 0,
    keepAliveTimeout: keepAlive ? 30_000 : 1,
    // Our own deadline governs; these only stop undici from giving up earlier.
    headersTimeout: 0,
    bodyTimeout: 0,
  });
}

export function sideState(config: HttpSideConfig): SideState {
  const key = JSON.stringify(config) + tlsFilesStamp(config.tls);
  const existing = sides.get(config.side);
  if (existing && existing.key === key) return existing;
  if (existing) {
    void existing.agent.close().catch(() => undefined);
    void existing.coldAgent.close().catch(() => undefined);
  }
  const state: SideState = {
    key,
    agent: undefined as unknown as Agent,
    coldAgent: undefined as unknown as Agent,
    connects: [],
    lastReadAt: 0n,
    queue: Promise.resolve(),
    lastStart: 0,
  };
  state.agent = newAgent(config, true, state);
  state.coldAgent = newAgent(config, false, state);
  sides.set(config.side, state);
  return state;
}

/** Closes every side's agents (the worker is asked to stop). */
export function closeSides(): Promise<unknown> {
  return Promise.all(
    [...sides.values()].flatMap((state) => [state.agent.close(), state.coldAgent.close()].map((closing) => closing.catch(() => undefined))),
  );
}
