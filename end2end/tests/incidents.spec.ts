// A crisis in Chromium (#17), on a server of its own (servers.ts): an admin opens an incident; customers
// choosing that topic see it on the request form (with JavaScript as they choose, without it through the
// topic step) and press "I'm affected too"; each sees the request taken in charge; the admin's update
// reaches the open request page live and by email; the resolution is the outcome; a customer reopens and
// the request waits in the queue at the time it was reported, before a request written later.
import { expect, test, type Browser } from '@playwright/test';
import { seriousViolations as serious } from './support/a11y';
import { act } from './support/shell';
import { customerOn } from './support/customer';
import { emailWith } from './support/mail';
import { incidentServer } from './support/servers';
import { ADMIN_PASSWORD, createAdmin, logIn } from './support/staff';

test.use({ baseURL: incidentServer.base });


const customer = (browser: Browser, javaScriptEnabled: boolean, name: string) =>
  customerOn(browser, incidentServer, javaScriptEnabled, name);

test('a known problem: affected too, one update for all, the outcome, a reopening at the original place', async ({ browser, page }) => {
  test.setTimeout(120_000);
  const title = 'Rete mobile assente a Napoli';

  // The admin opens the incident on the status page.
  await logIn(page, createAdmin(undefined, incidentServer.database), ADMIN_PASSWORD);
  await act.open(page, '/stato');
  await page.getByLabel('Titolo').fill(title);
  await page.getByLabel('Cosa succede (pubblico)').fill('Da questa mattina la rete mobile non funziona in alcune zone di Napoli.');
  await page.getByRole('checkbox', { name: 'Copertura di rete' }).check();
  await page.getByLabel('Zone interessate').fill('Napoli');
  await page.getByRole('button', { name: 'Pubblica il problema' }).click();
  await expect(page).toHaveURL(/\/stato\/\d+$/);
  const incidentPath = new URL(page.url()).pathname;

  // With JavaScript: choosing the topic in the form names the known problem at once.
  const withJs = await customer(browser, true, 'Anna Conjs');
  await act.open(withJs.page, '/assistenza/nuova');
  await expect(withJs.page.locator('.topic-step')).toHaveCount(0);
  await withJs.page.getByLabel('Argomento').selectOption('coverage');
  const known = withJs.page.locator('.known-problem');
  await expect(known).toContainText(title);
  expect(await serious(withJs.page), '/assistenza/nuova with a known problem').toEqual([]);
  await known.getByRole('button', { name: 'Anche io ho questo problema' }).click();
  await expect(withJs.page).toHaveURL(/\/assistenza\/richieste\/SC3-\d+$/);
  const jsReference = withJs.page.url().split('/').pop()!;
  await expect(withJs.page.getByText('Presa in carico: è un problema noto che stiamo già seguendo')).toBeVisible();
  expect(await serious(withJs.page), 'the linked request').toEqual([]);
  await emailWith(withJs.email, 'problema noto', incidentServer.mail);

  // Without JavaScript: the topic step first, then the same button.
  const withoutJs = await customer(browser, false, 'Bruno Senzajs');
  await act.open(withoutJs.page, '/assistenza/nuova', { hydrated: false });
  await withoutJs.page.locator('.topic-step select').selectOption('coverage');
  await withoutJs.page.locator('.topic-step').getByRole('button', { name: 'Continua' }).click();
  await expect(withoutJs.page).toHaveURL(/argomento=coverage/);
  await withoutJs.page.locator('.known-problem').getByRole('button', { name: 'Anche io ho questo problema' }).click();
  await expect(withoutJs.page).toHaveURL(/\/assistenza\/richieste\/SC3-\d+$/);
  await expect(withoutJs.page.getByText('Presa in carico: è un problema noto che stiamo già seguendo')).toBeVisible();

  // Someone writes an ordinary request after them: it waits in the queue.
  const later = await customer(browser, true, 'Carla Dopo');
  const res = await later.page.request.post('/api/requests/submit', {
    multipart: {
      category: 'billing', subject: 'Addebito non riconosciuto', description: 'Ho un addebito di 5 euro che non riconosco sul conto.',
      line_number: '333 765 4321', contact: 'portal', reported_on: 'none', public_handle: '',
    },
  });
  expect(res.ok()).toBeTruthy();
  const laterReference = (await res.json()) as string;
  await act.open(page, '/admin');
  await expect(page.locator('table.cases thead')).toContainText('Problema noto');
  expect(await serious(page), '/admin during a crisis').toEqual([]);

  // The public page counts both; the admin posts an update: it reaches the open page live, and by email.
  await act.open(page, incidentPath);
  await expect(page.getByText('2 persone hanno segnalato di avere questo problema')).toBeVisible();
  expect(await serious(page), incidentPath).toEqual([]);
  await page.getByLabel('Stato', { exact: true }).selectOption('identified');
  await page.getByLabel('Aggiornamento').fill('Abbiamo individuato il guasto: un ripetitore in zona Vomero.');
  await page.getByRole('button', { name: 'Pubblica l’aggiornamento' }).click();
  await expect(page.getByText('Abbiamo individuato il guasto: un ripetitore in zona Vomero.')).toBeVisible();
  await expect(withJs.page.getByText('Abbiamo individuato il guasto: un ripetitore in zona Vomero.')).toBeVisible({ timeout: 20_000 });
  await emailWith(withoutJs.email, 'aggiornamento sul problema', incidentServer.mail);

  // Resolved: the outcome, with the final message; the customer without JavaScript reopens.
  await page.getByLabel('Stato', { exact: true }).selectOption('resolved');
  await page.getByLabel('Aggiornamento').fill('Il ripetitore è stato riparato: la rete è tornata.');
  await page.getByRole('button', { name: 'Pubblica l’aggiornamento' }).click();
  await expect(withJs.page.locator('.outcome-message')).toContainText('Il ripetitore è stato riparato', { timeout: 20_000 });
  await emailWith(withoutJs.email, 'risolto', incidentServer.mail);
  await withoutJs.page.reload();
  await expect(withoutJs.page.locator('.outcome-message')).toContainText('Il ripetitore è stato riparato');
  const noJsReference = withoutJs.page.url().split('/').pop()!;
  await withoutJs.page.locator('details.reopen summary').click();
  await withoutJs.page.getByLabel('Perché la riapri? (facoltativo)').fill('Da me la rete non è ancora tornata.');
  await withoutJs.page.locator('details.reopen').getByRole('button', { name: 'No, riapri la richiesta' }).click();
  await expect(withoutJs.page.getByText('Hai riaperto la richiesta: torna in coda al suo posto di arrivo')).toBeVisible();

  // In the queue, the reopened request comes before the one written after it was reported.
  await act.open(page, '/admin');
  const rows = page.locator('table.cases tbody tr');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText(noJsReference);
  await expect(rows.nth(1)).toContainText(laterReference);
  expect(jsReference).not.toBe(noJsReference);
  await Promise.all([withJs.context.close(), withoutJs.context.close(), later.context.close()]);
});
