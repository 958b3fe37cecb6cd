// A new privacy notice (#18) in Chromium: an admin publishes it on the admin page; customers accept it at
// their next login before going on, with JavaScript and without. On a server of its own (servers.ts).
import { expect, test, type Browser } from '@playwright/test';
import { seriousViolations as serious } from './support/a11y';
import { act } from './support/shell';
import { PASSWORD, customerOn } from './support/customer';
import { consentServer } from './support/servers';
import { ADMIN_PASSWORD, createAdmin, logIn } from './support/staff';

test.use({ baseURL: consentServer.base });


const customer = (browser: Browser, javaScriptEnabled: boolean, name: string) =>
  customerOn(browser, consentServer, javaScriptEnabled, name);

test('a new privacy notice is accepted at the next login, with and without JavaScript', async ({ browser, page }) => {
  test.setTimeout(90_000);
  const withJs = await customer(browser, true, 'Anna Conjs');
  const withoutJs = await customer(browser, false, 'Bruno Senzajs');

  // The admin publishes version 2 of the notice, in both languages.
  await logIn(page, createAdmin(undefined, consentServer.database), ADMIN_PASSWORD);
  await act.open(page, '/admin/documenti');
  expect(await serious(page), '/admin/documenti').toEqual([]);
  const form = page.locator('#doc-privacy');
  await form.getByLabel('Testo in italiano').fill('Informativa 2027.\n\nTeniamo i tuoi dati solo per assisterti.');
  await form.getByLabel('Testo in inglese').fill('Notice 2027.\n\nWe keep your data only to help you.');
  await form.getByRole('button', { name: 'Pubblica la versione 2' }).click();
  await expect(page.getByText('Versione 2 pubblicata')).toBeVisible();

  for (const { page: fan, email, context } of [withJs, withoutJs]) {
    const js = context === withJs.context;
    await context.clearCookies();
    await act.open(fan, '/accedi', { hydrated: js });
    await fan.getByLabel('Email', { exact: true }).fill(email);
    await fan.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await fan.getByRole('main').getByRole('button', { name: 'Accedi' }).click();
    await expect(fan).toHaveURL(/\/consenso/);
    await expect(fan.getByRole('heading', { level: 1 })).toHaveText('Abbiamo aggiornato le condizioni');
    await expect(fan.getByText('Teniamo i tuoi dati solo per assisterti.')).toBeVisible();
    if (js) {
      await expect(fan.locator('html[data-hydrated="true"]')).toHaveCount(1);
      expect(await serious(fan), '/consenso').toEqual([]);
    }
    // Without the box: refused, saying why.
    await fan.getByRole('button', { name: 'Accetto e continuo' }).click();
    await expect(fan.locator('.check .field-error')).toContainText('accettare');
    await fan.getByLabel('Ho letto e accetto la nuova versione').check();
    await fan.getByRole('button', { name: 'Accetto e continuo' }).click();
    await expect(fan).toHaveURL(/\/assistenza\/richieste$/);
    await expect(fan.getByRole('link', { name: 'Accetta le nuove condizioni' })).toHaveCount(0);
  }
  await Promise.all([withJs.context.close(), withoutJs.context.close()]);
});
