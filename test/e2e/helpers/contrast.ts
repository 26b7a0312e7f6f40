/** WCAG contrast of text against the background it is drawn on, measured in the page. */
import type { Page } from 'playwright-core';

/**
 * For each selector's first element: the ratio of its text colour to the first opaque background
 * up its ancestors. Plain JavaScript in a string: the test's TypeScript compiler would add helpers
 * that do not exist in the page.
 */
const CONTRAST_SCRIPT = `(selectors) => {
  const rgba = (css) => css.match(/[\\d.]+/g).map(Number);
  const channel = (v) => { const c = v / 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const result = {};
  for (const selector of selectors) {
    const el = document.querySelector(selector);
    if (el === null) throw new Error('nothing matches ' + selector);
    let bg = [0, 0, 0, 0];
    for (let up = el; up !== null; up = up.parentElement) {
      bg = rgba(getComputedStyle(up).backgroundColor);
      if (bg.length < 4 || bg[3] > 0) break;
    }
    const fg = luminance(rgba(getComputedStyle(el).color));
    const back = luminance(bg);
    result[selector] = (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05);
  }
  return result;
}`;

export async function contrasts(page: Page, selectors: readonly string[]): Promise<Record<string, number>> {
  return page.evaluate(`(${CONTRAST_SCRIPT})(${JSON.stringify(selectors)})`) as Promise<Record<string, number>>;
}
