// The page's wall, end to end with two browsers: the admin writes a post; a fan (with and without
// JavaScript) reacts and comments, is stopped from posting personal data (and offered a private request
// holding the text), and reports a problem in public; the admin takes it to private; the fan completes the
// request from the email; the pool gives the outcome; the public answer says "solved in private" and
// nothing else.
import { expect, test, type Page } from '@playwright/test';
import { act } from './support/shell';
import { linkFromEmail } from './support/mail';
import { signedInCustomer, unique } from './support/customer';
import { ADMIN_PASSWORD, createAdmin, logIn } from './support/staff';
import { wallServer } from './support/servers';

// Its own server and database: posts stay off the other specs' home page, the private requests out of
// the care-pool spec's queue. The two runs go one after the other, so "take the next" takes this run's.
test.describe.configure({ mode: 'default' });
test.use({ baseURL: wallServer.base });

async function takeNextAndSolve(page: Page, message: string) {
  await act.open(page, '/admin');
  await page.getByRole('button', { name: 'Prendi la prossima' }).click();
  await expect(page.locator('.request-head .badge')).toHaveText('Presa in carico');
  await page.getByLabel('Esito', { exact: true }).selectOption('solved');
  await page.getByLabel("Messaggio con l'esito (obbligatorio)").fill(message);
  await page.getByRole('button', { name: "Dai l'esito" }).click();
  await expect(page.locator('.request-head .badge')).toHaveText('Risolta');
}

for (const fanJs of [true, false]) {
  test(`a public complaint goes private and comes back solved; fan ${fanJs ? 'with' : 'without'} JavaScript`, async ({ browser }) => {
    test.setTimeout(120_000);
    const adminEmail = `admin-${unique()}@example.it`;
    createAdmin(adminEmail, wallServer.database);
    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await logIn(admin, adminEmail, ADMIN_PASSWORD);

    // The admin writes a question to the community; it opens on its own page.
    const question = `Come va la rete 5G da voi? ${unique()}`;
    await act.open(admin, '/');
    await admin.getByLabel('Testo', { exact: true }).fill(question);
    await admin.getByRole('button', { name: 'Pubblica', exact: true }).click();
    await expect(admin).toHaveURL(/\/post\/\d+$/);
    const postPath = new URL(admin.url()).pathname;

    const fanContext = await browser.newContext({ javaScriptEnabled: fanJs });
    const fan = await fanContext.newPage();
    const fanEmail = await signedInCustomer(fan, 'Lucia Bianchi', wallServer);
    await act.open(fan, postPath, { hydrated: fanJs });
    await expect(fan.locator('.post .post-body')).toHaveText(question);

    // A reaction, counted at once.
    await fan.locator('.post').getByRole('button', { name: /^Mi piace/ }).click();
    await expect(fan.locator('.post').getByRole('button', { name: 'Mi piace (1)' })).toHaveAttribute('aria-pressed', 'true');

    // Personal data is stopped, and offered as a private request with the text in it.
    const withNumber = 'Non ho linea, chiamatemi al 333 765 4321';
    await fan.getByLabel('Il tuo commento').fill(withNumber);
    await fan.getByRole('button', { name: 'Invia il commento' }).click();
    await expect(fan.locator('.composer')).toContainText('Non condividere dati personali in pubblico');
    await expect(fan.locator('.comment')).toHaveCount(0);
    await fan.getByRole('button', { name: 'Scrivici in privato' }).click();
    await expect(fan).toHaveURL(/\/assistenza\/nuova/);
    await expect(fan.getByLabel('Descrizione')).toHaveValue(withNumber);

    // The complaint in public, without personal data.
    const complaint = `Da ieri niente segnale a Lecce centro ${unique()}`;
    await act.open(fan, postPath, { hydrated: fanJs });
    await fan.getByLabel('Il tuo commento').fill(complaint);
    await fan.getByRole('button', { name: 'Invia il commento' }).click();
    await expect(fan.locator('.comment').first()).toContainText(complaint);

    // The admin takes it to private: the page answers under it.
    await act.open(admin, postPath);
    await expect(admin.locator('.comment').first()).toContainText(complaint);
    await admin.getByRole('button', { name: 'Porta in privato' }).click();
    await expect(admin.locator('.comment.from-staff')).toContainText('Ti abbiamo scritto in privato');

    // The fan completes the request from the email: the comment's text is already in it.
    await fan.goto(await linkFromEmail(fanEmail, '/assistenza/nuova?commento=', wallServer.mail));
    await expect(fan.getByLabel('Descrizione')).toHaveValue(complaint);
    await fan.getByLabel('Argomento').selectOption('coverage');
    await fan.getByLabel('Titolo').fill('Nessun segnale a Lecce');
    await fan.getByLabel('Descrizione').fill(`${complaint}. Il telefono è già stato riavviato.`);
    await fan.getByText('Da nessuna parte', { exact: true }).click();
    await fan.locator('#f-consent').check();
    await fan.getByRole('button', { name: 'Invia la richiesta' }).click();
    await expect(fan.locator('.request-head .badge')).toHaveText('Ricevuta');

    const outcome = 'Cella di Lecce centro riattivata alle 10:40.';
    await takeNextAndSolve(admin, outcome);

    // Everyone reads the outcome under the comment, and nothing of the private request.
    for (const page of [fan, admin]) {
      await act.open(page, postPath, { hydrated: page === admin || fanJs });
      await expect(page.locator('.comment.from-staff')).toContainText('Risolto in privato ✓');
      await expect(page.locator('body')).not.toContainText('riattivata alle 10:40');
      await expect(page.locator('body')).not.toContainText('Nessun segnale a Lecce');
    }
    await Promise.all([adminContext.close(), fanContext.close()]);
  });
}
