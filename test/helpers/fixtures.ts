import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Real llama.cpp `llama-server` responses, shared by the project (see NOTES.md beside them). */
export const LLAMA_CPP_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fixtures', 'llama-cpp');

export function llamaCppFixture(name: string): Buffer {
  return readFileSync(join(LLAMA_CPP_DIR, name));
}

/** Response bodies of other API shapes (Responses, Anthropic, Ollama), described in README.md beside them. */
export const SHAPES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'shapes');

export function shapeFixture(name: string): Buffer {
  return readFileSync(join(SHAPES_DIR, name));
}
