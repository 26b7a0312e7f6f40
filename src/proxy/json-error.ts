import type { ServerResponse } from 'node:http';

/** Sends an OpenAI-style error body: `{"error":{"message","type","code"}}`. */
export function sendJsonError(res: ServerResponse, status: number, message: string, type: string, code: string): void {
  const body = JSON.stringify({ error: { message, type, code } });
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
