/**
 * The baseline the proxy's cost is judged against: a minimal Node pass-through with undici,
 * request and response bodies piped, no capture, no recording.
 */
import { createServer } from 'node:http';
import { pipeline } from 'node:stream';
import { Agent, request } from 'undici';

const upstream = process.env.UPSTREAM_URL as string;
const dispatcher = new Agent();
const server = createServer((req, res) => {
  const headers = { ...req.headers };
  delete headers.host;
  delete headers.connection;
  request(upstream + (req.url as string), { method: req.method as 'POST', headers, body: req, dispatcher }).then(
    (up) => {
      const h = { ...up.headers };
      delete h.connection;
      delete h['keep-alive'];
      delete h['transfer-encoding'];
      res.writeHead(up.statusCode, h as Record<string, string>);
      pipeline(up.body, res, () => {});
    },
    () => {
      res.writeHead(502);
      res.end();
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
