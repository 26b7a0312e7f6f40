/**
 * The proxy's address as a client should use it, and the snippets of the empty state that
 * point a client at it.
 */

/**
 * `/api/info` gives the proxy's bound address. A wildcard bind (`0.0.0.0`, `::`) is no address
 * to connect to: the host the dashboard was reached at is the best guess for it.
 */
export function clientProxyUrl(boundUrl: string, pageHostname: string): string {
  const url = new URL(boundUrl);
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') {
    url.hostname = pageHostname.includes(':') && !pageHostname.startsWith('[') ? `[${pageHostname}]` : pageHostname;
  }
  return url.origin;
}

export const EXAMPLE_MODEL = 'llama3.2';

export function curlSnippet(proxyUrl: string): string {
  return [
    `curl ${proxyUrl}/v1/chat/completions \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '{"model":"${EXAMPLE_MODEL}","messages":[{"role":"user","content":"Hello!"}]}'`,
  ].join('\n');
}

export function pythonSnippet(proxyUrl: string): string {
  return [
    'from openai import OpenAI',
    '',
    `client = OpenAI(base_url="${proxyUrl}/v1", api_key="unused-or-your-key")`,
    'reply = client.chat.completions.create(',
    `    model="${EXAMPLE_MODEL}",`,
    '    messages=[{"role": "user", "content": "Hello!"}],',
    ')',
    'print(reply.choices[0].message.content)',
  ].join('\n');
}

export function nodeSnippet(proxyUrl: string): string {
  return [
    "import OpenAI from 'openai';",
    '',
    `const client = new OpenAI({ baseURL: '${proxyUrl}/v1', apiKey: 'unused-or-your-key' });`,
    'const reply = await client.chat.completions.create({',
    `  model: '${EXAMPLE_MODEL}',`,
    "  messages: [{ role: 'user', content: 'Hello!' }],",
    '});',
    'console.log(reply.choices[0].message.content);',
  ].join('\n');
}
