// The shell: both languages, the tabs, the language switch, the 404 page (JavaScript on, hydrated).
import { expect, test } from '@playwright/test';
import { act, check, find, watchErrors } from './support/shell';

test('the home page renders in Italian by default', async ({ page }) => {
  await act.open(page, '/');
  await check.language(page, 'it');
  await check.heading(page, 'Ti aiutiamo in privato');
  await expect(find.tab(page, 'Home')).toHaveAttribute('aria-current', 'page');
  await expect(find.infoBox(page)).toContainText('Sempre attivo, 7 giorni su 7');
  await expect(page).toHaveTitle('Home · Social Care 3');
});

test.describe('with an English browser', () => {
  test.use({ locale: 'en-US' });
  test('the shell renders in English', async ({ page }) => {
    await act.open(page, '/');
    await check.language(page, 'en');
    await check.heading(page, 'We help you in private');
    await expect(find.tab(page, 'Get help')).toBeVisible();
  });
});

test('tabs navigate without reloading the page once hydrated', async ({ page }) => {
  const errors = watchErrors(page);
  await act.open(page, '/');
  // A value set on window survives only client-side navigation, not a full page load.
  await page.evaluate(() => ((window as any).__sc3 = 'still here'));
  await find.tab(page, 'Assistenza').click();
  await expect(page).toHaveURL(/\/assistenza$/);
  await check.heading(page, 'Assistenza / Social Care');
  await expect(find.tab(page, 'Assistenza')).toHaveAttribute('aria-current', 'page');
  await find.tab(page, 'Info').click();
  await check.heading(page, 'Le regole del servizio');
  expect(await page.evaluate(() => (window as any).__sc3)).toBe('still here');
  // The loading bar of a page still on its way is gone once the page is there.
  await expect(page.locator('.route-progress')).toHaveCount(1);
  await expect(page.locator('.route-progress')).not.toHaveClass(/active/);
  expect(errors).toEqual([]);
});

test('the language switch changes the page in place and is remembered', async ({ page }) => {
  const errors = watchErrors(page);
  await act.open(page, '/info');
  await page.evaluate(() => ((window as any).__sc3 = 'still here'));
  await find.langSwitch(page).click();
  await check.language(page, 'en');
  await check.heading(page, 'The rules of the service');
  expect(await page.evaluate(() => (window as any).__sc3)).toBe('still here');
  await page.reload();
  await check.language(page, 'en');
  await check.heading(page, 'The rules of the service');
  await find.langSwitch(page).click();
  await check.heading(page, 'Le regole del servizio');
  expect(errors).toEqual([]);
});

test('the WASM bundle loads and hydrates the page', async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith('.wasm') && r.status() === 200);
  const errors = watchErrors(page);
  await act.open(page, '/');
  await wasm;
  expect(errors).toEqual([]);
});

test('an unknown page answers 404 inside the shell', async ({ page }) => {
  const res = await page.goto('/non-esiste');
  expect(res?.status()).toBe(404);
  await check.heading(page, 'Pagina non trovata');
  await expect(find.tabs(page)).toBeVisible();
});
