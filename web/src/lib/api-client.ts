/**
 * JSON requests to the admin API with the optional admin token, and errors a person can act on.
 */
/** Where the dashboard keeps the admin token (Settings). */
export const TOKEN_STORAGE_KEY = 'lmp.adminToken';

export class ApiError extends Error {
  /** HTTP status; null when no response arrived. */
  readonly status: number | null;

  constructor(message: string, status: number | null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export interface FetchOptions {
  readonly signal?: AbortSignal;
  /** Sent as `Authorization: Bearer <token>` when non-empty. */
  readonly token?: string;
}

export async function fetchJson<T>(url: string, options: FetchOptions = {}, fetchImpl: typeof fetch = fetch): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetchImpl(url, { headers, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(`Cannot reach the admin API: ${(err as Error).message}`, null);
  }
  if (!response.ok) throw new ApiError(await describeFailure(response), response.status);
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(`The admin API sent an answer that is not JSON (HTTP ${response.status})`, response.status);
  }
}

/** The API's OpenAI-style `{"error":{"message"}}` when there is one, else the status alone. */
async function describeFailure(response: Response): Promise<string> {
  if (response.status === 401 || response.status === 403) {
    return `The admin API refused the request (HTTP ${response.status}): set the admin token in Settings.`;
  }
  let detail = '';
  try {
    const body = (await response.json()) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') detail = `: ${body.error.message}`;
  } catch {
    // Not JSON (e.g. a reverse proxy's error page): the status says enough.
  }
  return `HTTP ${response.status}${detail}`;
}
