/** Where requests go: the upstream origin and the base path every client path is appended to. */
export interface UpstreamTarget {
  /** `protocol://host:port`, what undici connects to. */
  readonly origin: string;
  /** Base path without a trailing slash ('' for none), e.g. `/openai`. */
  readonly basePath: string;
  /** The base path ends with `/v1`: a client path starting `/v1` must not repeat it. */
  readonly baseEndsWithV1: boolean;
  /** The origin and base path for messages; credentials in the URL are left out. */
  readonly display: string;
}

export function resolveUpstream(upstreamUrl: string): UpstreamTarget {
  const url = new URL(upstreamUrl);
  const basePath = url.pathname.replace(/\/+$/, '');
  return {
    origin: url.origin,
    basePath,
    baseEndsWithV1: basePath.endsWith('/v1'),
    display: `${url.origin}${basePath}`,
  };
}

/**
 * The upstream path for a client's request target (path and query, as received):
 * `https://gw.example/openai` + `/v1/models?x=1` → `/openai/v1/models?x=1`;
 * `http://host/api/v1` + `/v1/models` → `/api/v1/models`. Other prefixes sit beside `/v1`:
 * `http://host:11434/v1` + `/api/chat` → `/api/chat` (Ollama's native API next to its OpenAI one).
 */
export function upstreamPath(target: UpstreamTarget, requestTarget: string): string {
  if (target.baseEndsWithV1) {
    return requestTarget.startsWith('/v1/')
      ? target.basePath + requestTarget.slice(3)
      : target.basePath.slice(0, -3) + requestTarget;
  }
  return target.basePath + requestTarget;
}
