import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** USD per 1,000,000 tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
  /** Price of input tokens served from the prompt cache; the input price when not given. */
  readonly cached_input: number;
}

export interface PricedUsage {
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly cached_input_tokens: number | null;
}

const usdPerMillion = z.number().finite().nonnegative();
const priceFileSchema = z.object({
  models: z.record(
    z.string().min(1),
    z.strictObject({ input: usdPerMillion, output: usdPerMillion, cached_input: usdPerMillion.optional() }),
  ),
});

export class PriceTableError extends Error {
  override readonly name = 'PriceTableError';
}

interface GlobPrice {
  readonly matches: (model: string) => boolean;
  readonly price: ModelPrice;
}

/**
 * Model name or glob → price. An exact name wins; otherwise the first glob in file order that
 * matches (`gpt-4o-mini*` before `gpt-4o*` if you want the cheaper one to win). Local models cost
 * nothing unless priced: a model without an entry has no cost (null), not a cost of 0.
 */
export class PriceTable {
  private readonly exact = new Map<string, ModelPrice>();
  private readonly globs: GlobPrice[] = [];

  constructor(entries: Readonly<Record<string, { input: number; output: number; cached_input?: number | undefined }>>) {
    for (const [pattern, p] of Object.entries(entries)) {
      const price: ModelPrice = { input: p.input, output: p.output, cached_input: p.cached_input ?? p.input };
      // bash mode: `*` also matches `/`, as in org/model names.
      if (picomatch.scan(pattern).isGlob) this.globs.push({ matches: picomatch(pattern, { dot: true, bash: true }), price });
      else this.exact.set(pattern, price);
    }
  }

  /** Reads a JSON (`.json`) or YAML (anything else) price file; throws PriceTableError saying what is wrong. */
  static load(path: string): PriceTable {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new PriceTableError(`cannot read ${path}: ${(err as Error).message}`, { cause: err });
    }
    let data: unknown;
    try {
      data = extname(path).toLowerCase() === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new PriceTableError(`${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}: ${(err as Error).message}`, { cause: err });
    }
    const parsed = priceFileSchema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.join('.') ?? '';
      throw new PriceTableError(`${path}: ${where === '' ? '' : `${where}: `}${issue?.message ?? 'invalid'} (expected {"models": {"<name or glob>": {"input": USD, "output": USD, "cached_input"?: USD}}}, USD per 1M tokens)`);
    }
    return new PriceTable(parsed.data.models);
  }

  priceFor(model: string): ModelPrice | null {
    const exact = this.exact.get(model);
    if (exact !== undefined) return exact;
    for (const glob of this.globs) if (glob.matches(model)) return glob.price;
    return null;
  }

  /**
   * Cost in USD: uncached input at the input price, cached input at the cached price, output at
   * the output price. The request's model is priced first, then the response's. Null without a
   * price or without reported usage.
   */
  cost(model: string | null, responseModel: string | null, usage: PricedUsage): number | null {
    const price = (model !== null ? this.priceFor(model) : null) ?? (responseModel !== null ? this.priceFor(responseModel) : null);
    if (price === null || (usage.input_tokens === null && usage.output_tokens === null)) return null;
    const input = usage.input_tokens ?? 0;
    const cached = Math.min(usage.cached_input_tokens ?? 0, input);
    const output = usage.output_tokens ?? 0;
    return ((input - cached) * price.input + cached * price.cached_input + output * price.output) / 1_000_000;
  }
}
