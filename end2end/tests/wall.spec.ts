// The page's wall, end to end with two browsers: the admin writes a post; a fan (with and without
// JavaScript) reacts and comments, is stopped from posting personal data (and offered a private request
// holding the text), and reports a problem in public; the admin takes it to private; the fan completes the
// request from the email; the pool gives the outcome; the public answer says "solved in private" and
// nothing else.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { seriousViolations } from './support/a11y';
import { act } from './support/shell';
import { linkFromEmail } from './support/mail';
import { signedInCustomer, unique } from './support/customer';
import { ADMIN_PASSWORD, createAdmin, logIn } from './support/staff';
import { wallServer } from './support/servers';

// Its own server and database: posts stay off the other specs' home page, the private requests out of
// the care-pool spec's queue. The two runs go one after the other, so "take the next" takes this run's.
test.describe.configure({ mode: 'default' });
test.use({ baseURL: wallServer.base });

/** A new admin of this spec's server, logged in in a browser context of their own. */
async function signedInAdmin(browser: Browser) {
  const adminEmail = `admin-${unique()}@example.it`;
  createAdmin(adminEmail, wallServer.database);
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await logIn(admin, adminEmail, ADMIN_PASSWORD);
  return { adminContext, admin };
}

async function takeNextAndSolve(page: Page, message: string) {
  await act.open(page, '/admin');
  await page.getByRole('button', { name: 'Prendi la prossima' }).click();
  await expect(page.locator('.request-head .badge')).toHaveText('Presa in carico');
  await page.getByLabel("Dai l'esito").check();
  await page.getByLabel('Esito', { exact: true }).selectOption('solved');
  await page.getByLabel('Messaggio', { exact: true }).fill(message);
  await page.getByRole('button', { name: "Invia l'esito" }).click();
  await expect(page.locator('.request-head .badge')).toHaveText('Risolta');
}

for (const fanJs of [true, false]) {
  test(`a public complaint goes private and comes back solved; fan ${fanJs ? 'with' : 'without'} JavaScript`, async ({ browser }) => {
    test.setTimeout(120_000);
    const { adminContext, admin } = await signedInAdmin(browser);

    // The admin writes a question to the community; it opens on its own page.
    const question = `Come va la rete 5G da voi? ${unique()}`;
    await act.open(admin, '/');
    await admin.getByLabel('Tipo di post').selectOption('question');
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
    await fan.locator('.post').getByRole('button', { name: 'Mi piace', exact: true }).click();
    await expect(fan.locator('.post').getByRole('button', { name: 'Mi piace 1' })).toHaveAttribute('aria-pressed', 'true');

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
    await fan.getByLabel('Oggetto').fill('Nessun segnale a Lecce');
    await fan.getByLabel('Descrizione').fill(`${complaint}. Il telefono è già stato riavviato.`);
    await fan.getByText('Da nessuna parte', { exact: true }).click();
    await fan.getByRole('button', { name: 'Invia la richiesta' }).click();
    await expect(fan.locator('.request-head .badge')).toHaveText('Ricevuta');
    const requestPath = new URL(fan.url()).pathname;

    const outcome = 'Cella di Lecce centro riattivata alle 10:40.';
    await takeNextAndSolve(admin, outcome);

    // Everyone reads the outcome under the comment, and nothing of the private request.
    for (const page of [fan, admin]) {
      await act.open(page, postPath, { hydrated: page === admin || fanJs });
      await expect(page.locator('.comment.from-staff')).toContainText('Risolto in privato ✓');
      await expect(page.locator('body')).not.toContainText('riattivata alle 10:40');
      await expect(page.locator('body')).not.toContainText('Nessun segnale a Lecce');
    }

    // Happy, the fan rates 5 and thanks the page on the wall: their words, nothing of the request.
    await act.open(fan, requestPath, { hydrated: fanJs });
    await fan.locator('label[for="f-rating-5"]').click();
    await fan.getByRole('button', { name: 'Invia la valutazione' }).click();
    await expect(fan.locator('.rating-box [role=status]')).toContainText('5 su 5');
    const thanks = `Grazie mille, tutto risolto in un'ora ${unique()}`;
    await fan.getByLabel('Il tuo ringraziamento').fill(thanks);
    await fan.getByRole('button', { name: 'Pubblica il ringraziamento' }).click();
    await expect(fan.locator('.thanks-box [role=status]')).toContainText('Le tue parole sono sulla bacheca');
    await act.open(admin, '/');
    await expect(admin.locator('.thanks')).toContainText(thanks);
    await expect(admin.locator('.thanks')).toContainText('Lucia Bianchi');
    await Promise.all([adminContext.close(), fanContext.close()]);
  });
}


test('the wall, a post with its comments and the moderation queue are accessible, on a phone and a desktop', async ({ browser }) => {
  test.setTimeout(120_000);
  const { adminContext, admin } = await signedInAdmin(browser);
  const form = {
    id: '', kind: 'news', publish_at: '',
    body: 'Da oggi la copertura 5G arriva in altre 40 città. Trovi la mappa su https://example.it/copertura',
  };
  const saved = await admin.request.post('/api/wall/save', { form, headers: { Accept: 'text/html' }, maxRedirects: 0 });
  const postPath = saved.headers()['location'];
  const fanContext = await browser.newContext();
  const fan = await fanContext.newPage();
  await signedInCustomer(fan, 'Giulia Verdi', wallServer);
  const comment = async (body: string) => {
    const post = postPath.split('/').pop()!;
    await fan.request.post('/api/wall/comment', { form: { post, parent: '', id: '', body }, maxRedirects: 0 });
  };
  await comment('Finalmente anche a Matera! Va velocissimo.');
  await comment('Siete degli stronzi, a Potenza non va niente');

  for (const viewport of [{ name: 'phone', width: 390, height: 844 }, { name: 'desktop', width: 1280, height: 800 }]) {
    await fan.setViewportSize(viewport);
    for (const [name, path] of [['wall', '/'], ['post', postPath]]) {
      await act.open(fan, path);
      expect(await seriousViolations(fan), `${viewport.name} ${path}`).toEqual([]);
      await fan.screenshot({ path: `screenshots/${viewport.name}-${name}.png`, fullPage: true });
    }
  }
  await act.open(admin, '/admin/moderazione');
  await expect(admin.locator('.review')).toContainText('Siete degli stronzi');
  expect(await seriousViolations(admin), '/admin/moderazione').toEqual([]);
  await admin.getByRole('button', { name: 'Nascondi e avvisa' }).first().click();
  await expect(admin.locator('.review')).toHaveCount(0);
  await Promise.all([adminContext.close(), fanContext.close()]);
});
