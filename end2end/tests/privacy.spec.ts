// Privacy rights (#18) in Chromium: a customer downloads their data and deletes their account, with
// JavaScript and without it.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { act } from './support/shell';
import { PASSWORD, signedInCustomer } from './support/customer';

for (const javaScriptEnabled of [true, false]) {
  test.describe(javaScriptEnabled ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled });

    test('a customer downloads their data, then deletes the account', async ({ page }) => {
      const email = await signedInCustomer(page, 'Lucia Privata');
      await act.open(page, '/account', { hydrated: javaScriptEnabled });

      // A wrong password: back on the form, which says why; nothing is downloaded.
      const data = page.locator('#dati');
      await data.getByLabel('Password').fill('not-my-password-1');
      await data.getByRole('button', { name: 'Scarica i miei dati' }).click();
      await expect(page).toHaveURL(/dati=password_wrong/);
      await expect(page.locator('#dati .field-error')).toHaveText(/password/i);

      // The right one: the JSON file arrives as a download and holds the account.
      await page.locator('#dati').getByLabel('Password').fill(PASSWORD);
      const downloading = page.waitForEvent('download');
      await page.locator('#dati').getByRole('button', { name: 'Scarica i miei dati' }).click();
      const download = await downloading;
      expect(download.suggestedFilename()).toMatch(/^social-care-3-dati-.*\.json$/);
      const file = JSON.parse(readFileSync(await download.path(), 'utf8'));
      expect(file.account.email).toBe(email);
      expect(file.account.display_name).toBe('Lucia Privata');

      // Deleting: refused without the box ticked, then done.
      await act.open(page, '/account', { hydrated: javaScriptEnabled });
      const erase = page.locator('#elimina');
      await erase.getByLabel('Password').fill(PASSWORD);
      await erase.getByRole('button', { name: 'Elimina definitivamente il mio account' }).click();
      await expect(page.locator('#elimina .check .field-error')).toContainText('Spunta la casella');
      await page.locator('#elimina').getByLabel('Password').fill(PASSWORD);
      await page.locator('#elimina').getByLabel('Ho letto cosa succede').check();
      await page.locator('#elimina').getByRole('button', { name: 'Elimina definitivamente il mio account' }).click();
      await expect(page).toHaveURL(/\/accedi\?eliminato=1/);
      await expect(page.getByText('Il tuo account è stato eliminato')).toBeVisible();

      // Logged out, and the address no longer opens anything.
      await act.open(page, '/account', { hydrated: javaScriptEnabled });
      await expect(page.getByText('Accedi per vedere il tuo account')).toBeVisible();
    });
  });
}
