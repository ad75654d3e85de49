import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';

/**
 * Tiny shop and payment HTTP apps for the demo (and the tests): production and staging variants
 * with deliberate, switchable differences. They listen on loopback only.
 */

export interface ShopAppOptions {
  /** Prefix of the tokens it issues (tokens differ per side; flows extract them per side). */
  name: string;
  /** Base delay of every answer, in milliseconds. */
  delayMs?: number;
  /** Multiplies the delay of GET /api/products (a slower search). */
  searchSlowdown?: number;
  /** Changes the price of SKU-2 (a changed JSON field). */
  priceDrift?: boolean;
  /** Adds a `badge` field to every product (an extra field). */
  extraField?: boolean;
  /** Answers 500 on this path (one broken step). */
  failingPath?: string;
  /** Accepts request bodies of any size (misses the oversized-input probe). */
  acceptsOversized?: boolean;
  /** Orders placed by POST /api/checkout are handed to this callback (e.g. written to a database). */
  onOrder?: (order: { id: string; sku: string; quantity: number; total: number }) => Promise<void>;
}

export interface PaymentAppOptions {
  name: string;
  /** A mock: says "success" instead of "succeeded", never declines, has no refunds endpoint. */
  mock?: boolean;
}

export interface RunningApp {
  url: string;
  stop(): Promise<void>;
}

const PRODUCTS = [
  { sku: 'SKU-1', name: 'Espresso cup', price: 9.5 },
  { sku: 'SKU-2', name: 'Pour-over kettle', price: 39 },
  { sku: 'SKU-3', name: 'Grinder', price: 120 },
];

const MAX_BODY = 64 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Reads a request body up to `limit` bytes; null when it is larger. */
async function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? null : Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function listen(server: Server, port = 0): Promise<RunningApp> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') return reject(new Error('no address'));
      resolve({
        url: `http://127.0.0.1:${address.port}`,
        stop: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export function startShopApp(options: ShopAppOptions, port = 0): Promise<RunningApp> {
  const tokens = new Set<string>();
  let orders = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://shop');
      const meta = { request_id: randomUUID(), served_at: new Date().toISOString() };
      const slow = url.pathname === '/api/products' ? (options.searchSlowdown ?? 1) : 1;
      await sleep((options.delayMs ?? 2) * slow);
      const body = await readBody(req, options.acceptsOversized ? Number.MAX_SAFE_INTEGER : MAX_BODY);
      if (body === null) return send(res, 413, { error: 'payload_too_large', ...meta });
      if (options.failingPath && url.pathname === options.failingPath) return send(res, 500, { error: 'internal_error', ...meta });
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const authorised = token !== undefined && tokens.has(token);

      if (url.pathname === '/api/login' && req.method === 'POST') {
        const form = req.headers['content-type']?.includes('json') ? parseJson(body) : Object.fromEntries(new URLSearchParams(body));
        if (!form) return send(res, 400, { error: 'malformed_body', ...meta });
        if (form.password !== 'secret') return send(res, 401, { error: 'bad_credentials', ...meta });
        const issued = `${options.name}-${randomUUID()}`;
        tokens.add(issued);
        return send(res, 200, { token: issued, user: form.user, ...meta }, { 'set-cookie': `session=${issued}; Path=/; HttpOnly` });
      }
      if (url.pathname === '/api/products' && req.method === 'GET') {
        if (!authorised) return send(res, 401, { error: token === 'expired' ? 'token_expired' : 'unauthorised', ...meta });
        const q = (url.searchParams.get('q') ?? '').toLowerCase();
        const items = PRODUCTS.filter((product) => product.name.toLowerCase().includes(q)).map((product) => ({
          ...product,
          price: options.priceDrift && product.sku === 'SKU-2' ? 42 : product.price,
          ...(options.extraField ? { badge: 'new' } : {}),
        }));
        return send(res, 200, { items, count: items.length, ...meta });
      }
      const productMatch = /^\/api\/products\/([^/]+)$/.exec(url.pathname);
      if (productMatch && req.method === 'GET') {
        if (!authorised) return send(res, 401, { error: 'unauthorised', ...meta });
        const product = PRODUCTS.find((candidate) => candidate.sku === productMatch[1]);
        return product ? send(res, 200, { ...product, ...meta }) : send(res, 404, { error: 'not_found', ...meta });
      }
      if (url.pathname === '/api/checkout' && req.method === 'POST') {
        if (!authorised) return send(res, 401, { error: 'unauthorised', ...meta });
        const order = parseJson(body);
        if (!order || typeof order.sku !== 'string') return send(res, 400, { error: 'malformed_body', ...meta });
        const product = PRODUCTS.find((candidate) => candidate.sku === order.sku);
        if (!product) return send(res, 404, { error: 'unknown_product', ...meta });
        const quantity = typeof order.quantity === 'number' ? order.quantity : 1;
        const placed = { id: `ord-${++orders}`, sku: product.sku, quantity, total: product.price * quantity };
        await options.onOrder?.(placed);
        return send(res, 201, { order_id: placed.id, total: placed.total, status: 'placed', ...meta });
      }
      if (url.pathname === '/health') return send(res, 200, { status: 'ok' });
      return send(res, 404, { error: 'not_found', ...meta });
    })().catch(() => {
      if (!res.headersSent) send(res, 500, { error: 'internal_error' });
      else res.destroy();
    });
  });
  return listen(server, port);
}

export function startPaymentApp(options: PaymentAppOptions, port = 0): Promise<RunningApp> {
  const charges = new Map<string, { id: string; amount: number; currency: string }>();
  let next = 0;
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://payments');
      const body = (await readBody(req, MAX_BODY)) ?? '';
      const meta = { created: Math.floor(Date.now() / 1000) };
      if (url.pathname === '/v1/charges' && req.method === 'POST') {
        const charge = parseJson(body);
        if (!charge || typeof charge.amount !== 'number') return send(res, 400, { error: 'invalid_request' });
        if (!options.mock && charge.card === '4000000000000002') return send(res, 402, { error: 'card_declined' });
        const id = `ch_${++next}`;
        charges.set(id, { id, amount: charge.amount, currency: 'eur' });
        return send(res, 201, { id, amount: charge.amount, currency: 'eur', status: options.mock ? 'success' : 'succeeded', ...meta });
      }
      const chargeMatch = /^\/v1\/charges\/([^/]+)$/.exec(url.pathname);
      if (chargeMatch && req.method === 'GET') {
        const charge =
          charges.get(chargeMatch[1] as string) ??
          (chargeMatch[1] === 'ch_demo' ? { id: 'ch_demo', amount: 1000, currency: 'eur' } : undefined);
        return charge
          ? send(res, 200, { ...charge, status: options.mock ? 'success' : 'succeeded' })
          : send(res, 404, { error: 'no_such_charge' });
      }
      if (!options.mock && url.pathname === '/v1/refunds' && req.method === 'POST') {
        return send(res, 200, { id: `re_${++next}`, status: 'pending', ...meta });
      }
      return send(res, 404, { error: 'not_found' });
    })().catch(() => res.destroy());
  });
  return listen(server, port);
}
