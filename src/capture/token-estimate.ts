/**
 * Output-token estimates for streams whose backend reported no usage (STREAM_USAGE=estimate, or
 * inject when the backend still sends none): js-tiktoken's o200k_base encoding (GPT-4o's). Other
 * model families tokenize differently; docs/metrics.md gives the error measured on the fixtures.
 * The encoder (a few MB of ranks) is loaded once, at start-up, only when estimates are enabled.
 */
import type { Tiktoken } from 'js-tiktoken/lite';

export interface TokenCounter {
  count(text: string): number;
}

export async function loadTokenCounter(): Promise<TokenCounter> {
  const [{ Tiktoken: Encoder }, { default: ranks }] = await Promise.all([
    import('js-tiktoken/lite'),
    import('js-tiktoken/ranks/o200k_base'),
  ]);
  const encoder: Tiktoken = new Encoder(ranks);
  return { count: (text) => (text === '' ? 0 : encoder.encode(text).length) };
}
