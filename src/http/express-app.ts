import express, { type Express } from 'express';
import { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The express application every request enters: it hands each one to the request pipeline.
 *
 * Express normally swaps the prototype of every request and response for its own (`req.get`,
 * `res.json`...). V8 then sees Node's HTTP objects change shape on every request and deoptimizes Node's
 * own HTTP and TLS code paths: measured here, that alone cost about 150 µs of CPU per request, more than
 * everything else a GET does. The pipeline uses only Node's API, so the app keeps Node's prototypes.
 */
export function createExpressApp(
  pipeline: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.request = IncomingMessage.prototype as Express['request'];
  app.response = ServerResponse.prototype as Express['response'];
  app.use((req, res) => pipeline(req, res));
  return app;
}
