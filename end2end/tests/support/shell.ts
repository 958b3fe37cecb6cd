// Page helpers for the shell, split into find / act / check.
import { expect, type Page } from '@playwright/test';

export const find = {
  tabs: (page: Page) => page.locator('nav.tabs'),
  tab: (page: Page, name: string) => page.locator('nav.tabs').getByRole('link', { name, exact: true }),
  heading: (page: Page) => page.getByRole('heading', { level: 1 }),
  langSwitch: (page: Page) => page.locator('a.lang-switch'),
  infoBox: (page: Page) => page.getByRole('complementary'),
};

export const act = {
  /** Opens a page and, when JavaScript runs, waits until the WASM has hydrated it. */
  async open(page: Page, path: string, { hydrated = true } = {}) {
    await page.goto(path);
    if (hydrated) await expect(page.locator('html[data-hydrated="true"]')).toHaveCount(1);
  },
};

export const check = {
  async language(page: Page, lang: 'it' | 'en') {
    await expect(page.locator('html')).toHaveAttribute('lang', lang);
  },
  async heading(page: Page, text: string) {
    await expect(find.heading(page)).toHaveText(text);
  },
};

/** Collects console errors and uncaught exceptions, to assert a page logged none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}
