import { createServer as createHttpServer, request, type ServerResponse } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * The soak's fault injectors: a TCP proxy in front of a database that passes, delays, holds
 * (blackhole) or drops, and an HTTP front of an app that passes, answers 500 or never answers.
 */

export type ProxyMode = 'pass' | 'delay' | 'blackhole' | 'drop';

interface Link {
  client: Socket;
  upstream: Socket;
  held: Array<[Socket, Buffer]>;
}

export class FaultProxy {
  mode: ProxyMode = 'pass';
  delayMs = 2000;
  private readonly links = new Set<Link>();
  private readonly server: Server;

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.server = createServer((client) => this.accept(client));
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  private accept(client: Socket): void {
    if (this.mode === 'drop') {
      client.destroy();
      return;
    }
    const upstream = connect(this.port, this.host);
    const link: Link = { client, upstream, held: [] };
    this.links.add(link);
    const forward = (to: Socket) => (chunk: Buffer) => {
      if (this.mode === 'blackhole') link.held.push([to, chunk]);
      else if (this.mode === 'delay') setTimeout(() => to.writable && to.write(chunk), this.delayMs);
      else to.write(chunk);
    };
    client.on('data', forward(upstream));
    upstream.on('data', forward(client));
    const close = () => {
      this.links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', close);
      socket.on('close', close);
    }
  }

  /** Sets the mode; leaving a blackhole delivers what it held, `drop` cuts every open connection. */
  set(mode: ProxyMode): void {
    this.mode = mode;
    for (const link of this.links) {
      if (mode === 'drop') {
        link.client.destroy();
        link.upstream.destroy();
      } else if (mode !== 'blackhole') {
        for (const [to, chunk] of link.held.splice(0)) if (to.writable) to.write(chunk);
      }
    }
  }

  async close(): Promise<void> {
    this.set('drop');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export type FrontMode = 'pass' | 'error' | 'hang';

/** An HTTP front that forwards to an app, or answers 500, or holds every request unanswered. */
export class FaultFront {
  mode: FrontMode = 'pass';
  private readonly hanging = new Set<ServerResponse>();
  private readonly server = createHttpServer((req, res) => {
    if (this.mode === 'error') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('injected fault\n');
      return;
    }
    if (this.mode === 'hang') {
      this.hanging.add(res);
      res.on('close', () => this.hanging.delete(res));
      return;
    }
    const target = new URL(req.url ?? '/', this.target);
    const upstream = request(target, { method: req.method, headers: { ...req.headers, host: target.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  constructor(private readonly target: string) {}

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  set(mode: FrontMode): void {
    this.mode = mode;
    if (mode !== 'hang') for (const res of this.hanging) res.destroy();
  }

  async close(): Promise<void> {
    this.set('pass');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
