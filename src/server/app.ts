import express, { type NextFunction, type Request, type Response } from 'express';
import type { Exporter } from '../exporter.js';
import type { Logger } from '../log.js';
import { renderReport } from './html.js';
import { resultsView } from './view.js';

/** Every HTTP route of the exporter, in one place. Reads memory only; never touches a target. */
export function createApp(exporter: Exporter, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    res.set('X-Frame-Options', 'DENY');
    res.set('Referrer-Policy', 'no-referrer');
    next();
  });

  const readOnly = (path: string, handler: (req: Request, res: Response) => void | Promise<void>) => {
    app.get(path, handler);
    app.all(path, (_req, res) => {
      res.set('Allow', 'GET, HEAD').status(405).type('text/plain').send('method not allowed\n');
    });
  };

  readOnly('/metrics', async (_req, res) => {
    const body = await exporter.collector.render();
    res.set('Content-Type', exporter.collector.contentType).send(body);
  });
  readOnly('/-/healthy', (_req, res) => {
    res.type('text/plain').send('OK\n');
  });
  readOnly('/-/ready', (_req, res) => {
    if (exporter.ready) res.type('text/plain').send('OK\n');
    else res.status(503).type('text/plain').send('not ready\n');
  });
  readOnly('/api/v1/results', (_req, res) => {
    res.json(resultsView(exporter));
  });
  readOnly('/', (_req, res) => {
    res.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
    res.type('html').send(renderReport(resultsView(exporter)));
  });

  app.use((req, res) => {
    res.status(404).type('text/plain').send(`not found: ${req.method} ${req.path.slice(0, 200)}\n`);
  });
  app.use((error: Error, req: Request, res: Response, _next: NextFunction) => {
    log.error({ path: req.path, err: error.message }, 'request failed');
    res.status(500).type('text/plain').send('internal error\n');
  });
  return app;
}
