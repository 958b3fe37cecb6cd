// Assistance requests as a customer lives them, with JavaScript (hydrated, live) and without it.
import { expect, test } from '@playwright/test';
import { act, watchErrors } from './support/shell';
import { PASSWORD, signedInCustomer } from './support/customer';

for (const js of [true, false]) {
  test.describe(js ? 'with JavaScript' : 'without JavaScript', () => {
    test.use({ javaScriptEnabled: js });

    test('a customer submits a request, finds it listed, opens it and writes to the pool', async ({ page }) => {
      const errors = watchErrors(page);
      await signedInCustomer(page);
      await act.open(page, '/assistenza/richieste', { hydrated: js });
      await expect(page.getByText('Non hai ancora inviato richieste.')).toBeVisible();
      await page.getByRole('main').getByRole('link', { name: 'Richiedi assistenza' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Richiedi assistenza');
      await expect(page.getByText('lo vede solo il nostro team di assistenza')).toBeVisible();
      await expect(page.getByLabel('Linea interessata')).toHaveValue('+393337654321');

      // Sent incomplete: each field says what is missing, nothing is created.
      await page.getByRole('button', { name: 'Invia la richiesta' }).click();
      await expect(page.locator('#f-subject-error')).toHaveText('Questo campo è obbligatorio.');
      await expect(page.locator('#f-description-error')).toHaveText('Questo campo è obbligatorio.');
      // Hydrated, the first field to fix has the focus (and so is on screen).
      if (js) await expect(page.locator('#f-category')).toBeFocused();

      await page.getByLabel('Argomento').selectOption('internet');
      await page.getByLabel('Oggetto').fill('Internet lento la sera');
      await page.getByLabel('Descrizione').fill('Dalle 20 alle 23 la connessione scende sotto 1 Mbit/s, da una settimana.');
      // Leaving the field checks it (hydrated): its message goes away before the next click.
      await page.getByLabel('Descrizione').blur();
      if (js) await expect(page.locator('#f-description-error')).toBeEmpty();
      await page.getByText('Facebook', { exact: true }).click();
      await expect(page.locator('#f-reported_on-facebook')).toBeChecked();
      await page.getByLabel('Il tuo nome o @ su quel social').fill('@mario.rossi');
      await page.getByRole('button', { name: 'Invia la richiesta' }).click();

      await expect(page.getByRole('status')).toContainText('Il codice da citare è SC3-');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Internet lento la sera');
      await expect(page.locator('.request-head .badge')).toHaveText('Ricevuta');
      await expect(page.locator('.progress-steps [aria-current="step"]')).toContainText('Ricevuta');
      await expect(page.getByText('in ordine di arrivo')).toBeVisible();
      const reference = (await page.locator('.request-head .reference').textContent())!.trim();
      await expect(page).toHaveTitle(new RegExp(`^${reference}`));

      await page.getByLabel('Messaggio').fill('Aggiungo: succede anche nel weekend.');
      await page.getByRole('button', { name: 'Invia il messaggio' }).click();
      await expect(page.locator('.event.mine').last()).toContainText('succede anche nel weekend');

      await page.getByRole('link', { name: '← Le mie richieste' }).click();
      const item = page.locator('.request-item', { hasText: reference });
      await expect(item).toContainText('Internet lento la sera');
      await expect(item).toContainText('Internet mobile');
      await expect(item.locator('.badge')).toHaveText('Ricevuta');
      // The refused first try answered 422, which Chromium logs; nothing else may appear.
      expect(errors.filter((e) => !/status of 422/.test(e))).toEqual([]);
    });
  });
}

test('without JavaScript a refused request form comes back with every field, and a short address', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signedInCustomer(page, 'Giulia Bianchi');
  await page.goto('/assistenza/nuova');
  await page.getByLabel('Argomento').selectOption('device');
  await page.getByLabel('Descrizione').fill('Il telefono si spegne da solo più volte al giorno, anche carico.');
  await page.getByLabel('Linea interessata').fill('333 111 2222');
  await page.locator('label[for="f-contact-phone"]').click();
  await page.locator('label[for="f-reported_on-facebook"]').click();
  await page.getByLabel('Il tuo nome o @ su quel social').fill('Giulia Bianchi');
  await page.getByRole('button', { name: 'Invia la richiesta' }).click();
  await expect(page.locator('#f-subject-error')).toHaveText('Questo campo è obbligatorio.');
  await expect(page.getByLabel('Argomento')).toHaveValue('device');
  await expect(page.getByLabel('Descrizione')).toHaveValue('Il telefono si spegne da solo più volte al giorno, anche carico.');
  await expect(page.getByLabel('Linea interessata')).toHaveValue('333 111 2222');
  await expect(page.locator('#f-contact-phone')).toBeChecked();
  await expect(page.locator('#f-reported_on-facebook')).toBeChecked();
  await expect(page.getByLabel('Il tuo nome o @ su quel social')).toHaveValue('Giulia Bianchi');
  expect(new URL(page.url()).search.length, `no long error in ${page.url()}`).toBeLessThan(40);
  await context.close();
});

test('a message sent offline keeps its draft, says why, and goes on retry', async ({ page, context }) => {
  await signedInCustomer(page, 'Marta Offline');
  const res = await page.request.post('/api/requests/submit', {
    multipart: {
      category: 'internet', subject: 'Internet assente in galleria', description: 'Quando passo in galleria perdo del tutto la connessione dati.',
      line_number: '333 765 4321', contact: 'portal', reported_on: 'none', public_handle: '',
    },
  });
  const reference = (await res.json()) as string;
  await act.open(page, `/assistenza/richieste/${reference}`);
  await context.setOffline(true);
  await page.getByLabel('Messaggio').fill('Scrivo dalla metropolitana: succede anche qui.');
  await page.getByRole('button', { name: 'Invia il messaggio' }).click();
  await expect(page.locator('#reply .alert.error')).toContainText('forse sei offline');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Internet assente in galleria');
  await expect(page.getByLabel('Messaggio')).toHaveValue('Scrivo dalla metropolitana: succede anche qui.');
  await context.setOffline(false);
  await page.getByRole('button', { name: 'Riprova' }).click();
  await expect(page.locator('.event.mine').last()).toContainText('Scrivo dalla metropolitana');
  await expect(page.getByLabel('Messaggio')).toHaveValue('');
});

test('a link from an email survives the login', async ({ browser, page }) => {
  const email = await signedInCustomer(page, 'Luca Dallemail');
  const res = await page.request.post('/api/requests/submit', {
    multipart: {
      category: 'billing', subject: 'Doppio addebito a novembre', description: 'Mi avete addebitato due volte la stessa offerta a novembre.',
      line_number: '333 765 4321', contact: 'portal', reported_on: 'none', public_handle: '',
    },
  });
  const reference = (await res.json()) as string;
  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await act.open(other, `/assistenza/richieste/${reference}`);
  await other.getByRole('main').getByRole('link', { name: 'Accedi' }).click();
  await other.getByLabel('Email', { exact: true }).fill(email);
  await other.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await other.getByRole('main').getByRole('button', { name: 'Accedi' }).click();
  await expect(other).toHaveURL(new RegExp(`/assistenza/richieste/${reference}$`));
  await expect(other.getByRole('heading', { level: 1 })).toHaveText('Doppio addebito a novembre');
  await fresh.close();
});
