// #13: a refused request form without JavaScript came back with its errors but without what the customer
// had typed, about one time in three on PostgreSQL and one in ten on SQLite. Thirty times in a row on each
// database, the typed description must be back in its field.
import { expect, test } from '@playwright/test';
import { signedInCustomer } from './support/customer';
import { servers } from './support/servers';

test.use({ javaScriptEnabled: false });

for (const server of servers) {
  test(`a refused form keeps what was typed, 30 times in a row (${server.name})`, async ({ page }) => {
    test.setTimeout(120_000);
    await signedInCustomer(page, 'Giulia Bianchi', server);
    for (let n = 0; n < 30; n++) {
      const typed = `Tentativo ${n}: la ricarica di ieri non è arrivata sul numero.`;
      await page.goto(`${server.base}/assistenza/nuova`);
      await page.getByLabel('Descrizione').fill(typed);
      await page.getByRole('button', { name: 'Invia la richiesta' }).click();
      await expect(page.locator('#f-subject-error')).toHaveText('Questo campo è obbligatorio.');
      await expect(page.getByLabel('Descrizione'), `attempt ${n}`).toHaveValue(typed);
    }
  });
}
