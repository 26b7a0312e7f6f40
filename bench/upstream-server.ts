/**
 * Bench upstream: answers chat completions instantly, as JSON or as an SSE stream of `CHUNKS`
 * content chunks + finish + usage + [DONE] (written one event per write, like a real server).
 */
import { createServer } from 'node:http';

const chunks = Number(process.env.CHUNKS ?? 50);
const json = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1, model: 'bench-model',
  choices: [{ index: 0, message: { role: 'assistant', content: 'hello '.repeat(50) }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 20, completion_tokens: 50, total_tokens: 70 },
});
const chunk = (delta: object, finish: string | null = null): string =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const events = [
  chunk({ role: 'assistant', content: '' }),
  ...Array.from({ length: chunks }, (_, i) => chunk({ content: ` tok${i}` })),
  chunk({}, 'stop'),
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1, model: 'bench-model', choices: [], usage: { prompt_tokens: 20, completion_tokens: chunks, total_tokens: 20 + chunks } })}\n\n`,
  'data: [DONE]\n\n',
].map((e) => Buffer.from(e));

const server = createServer((req, res) => {
  const body: Buffer[] = [];
  req.on('data', (c: Buffer) => body.push(c));
  req.on('end', () => {
    if (Buffer.concat(body).includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let i = 0;
      // one event per macrotask, so each is its own socket write as a generating server's would be
      const next = (): void => {
        if (i === events.length) return void res.end();
        res.write(events[i++]);
        setImmediate(next);
      };
      next();
    } else {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) });
      res.end(json);
    }
  });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
