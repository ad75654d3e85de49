import express, { type NextFunction, type Request, type Response } from 'express';
import type { Exporter } from '../runtime/exporter.js';
import type { Logger } from '../log.js';
import type { ReloadOutcome } from '../runtime/reload.js';
import { authMiddleware, type Authenticator } from './auth.js';
import type { WebConfig } from './web-config.js';
import { renderReport } from './html.js';
import { resultsView } from './view.js';
import { resultsHandler } from './fresh-results.js';
import { eventsHandler, gateHandler } from './gate-routes.js';

/** Every HTTP route of the exporter, in one place. Reads memory only; never touches a target. */
export interface AppOperations {
  /** The web configuration in force (auth, extra headers); swapped by reloads. */
  web?: { readonly config: WebConfig; readonly authenticator: Authenticator };
  /** POST /-/reload */
  reload?: (trigger: string) => Promise<ReloadOutcome>;
}

/** GET /metrics: the body is rendered when results change; a scrape only adds the process metrics (and gzip). */
function metricsHandler(exporter: Exporter) {
  return async (req: Request, res: Response) => {
    const { chunks, encoding } = await exporter.collector.scrape(req.acceptsEncodings('gzip', 'identity') === 'gzip');
    res.set('Vary', 'Accept-Encoding').set('Content-Type', exporter.collector.contentType);
    if (encoding) res.set('Content-Encoding', encoding);
    // The pieces are written as they are kept, without joining them into a new buffer first.
    res.set('Content-Length', String(chunks.reduce((sum, chunk) => sum + chunk.length, 0)));
    res.cork();
    for (const chunk of chunks) res.write(chunk);
    res.end();
  };
}

/** Largest request body any route accepts; larger declared bodies are refused before routing. */
export const MAX_BODY_BYTES = 64 * 1024;

export function createApp(exporter: Exporter, log: Logger, operations: AppOperations = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('X-Frame-Options', 'DENY');
    res.set('Referrer-Policy', 'no-referrer');
    res.set('Content-Security-Policy', "default-src 'none'");
    res.set('Cross-Origin-Resource-Policy', 'same-origin');
    for (const [name, value] of Object.entries(operations.web?.config.headers ?? {})) res.set(name, value);
    next();
  });
  app.use((req, res, next) => {
    if (Number(req.get('content-length') ?? 0) > MAX_BODY_BYTES) {
      res.set('Connection', 'close').status(413).type('text/plain').send(`request body larger than ${MAX_BODY_BYTES} bytes\n`);
      return;
    }
    next();
  });
  const web = operations.web;
  if (web) app.use(authMiddleware(() => web.authenticator, log));

  const readOnly = (path: string, handler: (req: Request, res: Response) => void | Promise<void>) => {
    app.get(path, handler);
    app.all(path, (_req, res) => {
      res.set('Allow', 'GET, HEAD').status(405).type('text/plain').send('method not allowed\n');
    });
  };

  readOnly('/metrics', metricsHandler(exporter));
  readOnly('/-/healthy', (_req, res) => {
    res.type('text/plain').send('OK\n');
  });
  readOnly('/-/ready', (_req, res) => {
    if (exporter.ready) res.type('text/plain').send('OK\n');
    else res.status(503).type('text/plain').send('not ready\n');
  });
  readOnly('/api/v1/results', resultsHandler(exporter));
  readOnly('/', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(renderReport(resultsView(exporter)));
  });

  // Scores and gate (docs/scores-and-gate.md).
  readOnly('/gate', gateHandler(exporter));
  app.post('/api/v1/events', eventsHandler(exporter, log));
  app.all('/api/v1/events', (_req, res) => {
    res.set('Allow', 'POST').status(405).type('text/plain').send('method not allowed\n');
  });

  const reload = operations.reload;
  if (reload) {
    app.post('/-/reload', async (_req, res) => {
      const outcome = await reload('http');
      if (outcome.ok) res.type('text/plain').send(`configuration reloaded: ${outcome.checks} checks\n`);
      else
        res
          .status(500)
          .type('text/plain')
          .send(`configuration reload failed, the previous configuration stays in force:\n${outcome.error}\n`);
    });
    app.all('/-/reload', (_req, res) => {
      res.set('Allow', 'POST').status(405).type('text/plain').send('method not allowed\n');
    });
  }

  app.use((req, res) => {
    res
      .status(404)
      .type('text/plain')
      .send(`not found: ${req.method} ${req.path.slice(0, 200)}\n`);
  });
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    log.error({ path: req.path, err: error.message }, 'request failed');
    res.status(500).type('text/plain').send('internal error\n');
  });
  return app;
}
