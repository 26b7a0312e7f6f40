/**
 * A query or path parameter the client got wrong. Parsers throw it; the admin app's error
 * handler answers 400 with an OpenAI-style body naming the parameter, and logs nothing.
 */
export class InvalidParamError extends Error {
  override readonly name = 'InvalidParamError';

  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** The query string as Hono's `c.req.queries()` gives it: every value of every parameter. */
export type QueryValues = Readonly<Record<string, readonly string[] | undefined>>;

/** The value of a parameter that may appear at most once; undefined when absent. */
export function single(query: QueryValues, name: string): string | undefined {
  const values = query[name];
  if (values === undefined || values.length === 0) return undefined;
  if (values.length > 1) throw new InvalidParamError(name, `${name} may be given only once, got ${values.length} values`);
  return values[0];
}
