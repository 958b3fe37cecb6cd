// The care pool at work, end to end: the first admin (from `server create-admin`) adds an agent, who
// sets a password, takes the next request, asks for information; the customer (another browser) sees
// it arrive, replies; the agent gives the outcome; the customer confirms and rates; the dashboard
// shows the work. The customer side runs with and without JavaScript.
import { expect, test, type Page } from '@playwright/test';
import { act } from './support/shell';
import { linkFromEmail } from './support/mail';
import { signedInCustomer, unique } from './support/customer';
import { ADMIN_PASSWORD, createAdmin, logIn } from './support/staff';
import { queueServer } from './support/servers';

/** "Take the next request": on this spec's own queue, the next one is exactly the request just sent. */
async function takeNext(page: Page, reference: string) {
  await act.open(page, '/admin');
  await page.getByRole('button', { name: 'Prendi la prossima' }).click();
  await expect(page.locator('.request-head .reference')).toHaveText(reference);
}

// This file has its own server and database (`queueServer`): no other spec adds to its queue. Its two
// runs go one after the other, in one worker, so each takes its own request (the first is resolved by then).
test.describe.configure({ mode: 'default' });
test.use({ baseURL: queueServer.base });

for (const customerJs of [true, false]) {
  test(`the pool takes a request, asks, gets a reply, gives the outcome; customer ${customerJs ? 'with' : 'without'} JavaScript`, async ({ browser }) => {
    test.setTimeout(120_000);
    const adminEmail = `admin-${unique()}@example.it`;
    const agentEmail = `agente-${unique()}@example.it`;
    createAdmin(adminEmail, queueServer.database);

    const adminContext = await browser.newContext();
    const admin = await adminContext.newPage();
    await logIn(admin, adminEmail, ADMIN_PASSWORD);
    await act.open(admin, '/admin/staff');
    await admin.getByLabel('Nome e cognome').fill('Agente Rossi');
    await admin.getByLabel('Email').fill(agentEmail);
    await admin.getByLabel('Ruolo').selectOption('agent');
    await admin.getByRole('button', { name: "Crea l'account" }).click();
    await expect(admin.getByRole('status')).toContainText('Account creato');
    await expect(admin.locator('table')).toContainText(agentEmail);

    // The agent works on a laptop (#21.1): 1366×768.
    const agentContext = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    const agent = await agentContext.newPage();
    await agent.goto(await linkFromEmail(agentEmail, '/reimposta-password?token=', queueServer.mail));
    const agentPassword = 'saffron-glacier-piano-31';
    await agent.getByLabel('Nuova password', { exact: true }).fill(agentPassword);
    await agent.getByLabel('Ripeti la nuova password', { exact: true }).fill(agentPassword);
    await agent.getByRole('button', { name: 'Salva la nuova password' }).click();
    await expect(agent.getByRole('status')).toContainText('Password reimpostata');
    await logIn(agent, agentEmail, agentPassword);

    const customerContext = await browser.newContext({ javaScriptEnabled: customerJs });
    const customer = await customerContext.newPage();
    await signedInCustomer(customer, 'Mario Rossi', queueServer);
    await act.open(customer, '/assistenza/nuova', { hydrated: customerJs });
    await customer.getByLabel('Argomento').selectOption('billing');
    await customer.getByLabel('Oggetto').fill('Ricarica non accreditata');
    await customer.getByLabel('Descrizione').fill('Ho ricaricato 20 euro ieri sera ma il credito non è cambiato.');
    await customer.getByText('Da nessuna parte', { exact: true }).click();
    await customer.getByRole('button', { name: 'Invia la richiesta' }).click();
    await expect(customer.locator('.request-head .badge')).toHaveText('Ricevuta');
    const reference = (await customer.locator('.request-head .reference').textContent())!.trim();

    await takeNext(agent, reference);
    await expect(agent.getByRole('heading', { level: 1 })).toHaveText('Ricarica non accreditata');
    await expect(agent.locator('.case-side .facts')).toContainText('+393337654321');
    // The conversation and the one composer are in the first screen, without scrolling.
    expect(await agent.evaluate(() => window.scrollY)).toBe(0);
    await expect(agent.locator('#composer')).toBeInViewport({ ratio: 1 });
    await expect(agent.locator('.conversation')).toBeInViewport();
    if (customerJs) await agent.screenshot({ path: 'screenshots/laptop-staff-case.png' });
    await agent.getByLabel('Messaggio', { exact: true }).fill('Ciao Mario, controlliamo subito la ricarica.');
    await agent.getByRole('button', { name: 'Invia la risposta' }).click();
    await expect(agent.locator('.timeline')).toContainText('controlliamo subito la ricarica');
    await expect(agent.locator('#composer')).toBeInViewport({ ratio: 1 });
    await agent.getByLabel('Chiedi informazioni').check();
    await agent.getByLabel('Messaggio', { exact: true }).fill("Da quale numero hai fatto la ricarica e a che ora?");
    await agent.getByRole('button', { name: 'Invia la domanda' }).click();
    await expect(agent.locator('.timeline')).toContainText('Da quale numero hai fatto la ricarica');
    await agent.getByLabel('Nota interna').check();
    await agent.getByLabel('Messaggio', { exact: true }).fill('NOTA-E2E cliente gentile');
    await agent.getByRole('button', { name: 'Salva la nota' }).click();
    await expect(agent.locator('.event.internal')).toContainText('NOTA-E2E');

    // Hydrated, the customer's page shows the question without a reload; without JavaScript, a reload does.
    if (!customerJs) await customer.reload();
    await expect(customer.locator('.request-head .badge')).toHaveText('In attesa di una tua risposta', { timeout: 15_000 });
    await expect(customer.locator('.timeline')).toContainText('Da quale numero hai fatto la ricarica');
    await expect(customer.locator('body')).not.toContainText('NOTA-E2E');
    // The team's messages are signed with the page's name and the writer's first name (#21.9).
    await expect(customer.locator('.timeline')).toContainText('Social Care 3 · Agente');
    if (customerJs) await customer.screenshot({ path: 'screenshots/laptop-customer-request.png', fullPage: true });
    await customer.getByLabel('Messaggio').fill('Dal 333 765 4321, alle 21:30.');
    await customer.getByRole('button', { name: 'Invia il messaggio' }).click();
    await expect(customer.locator('.event.mine').last()).toContainText('alle 21:30');
    await expect(customer.locator('.request-head .badge')).toHaveText('Presa in carico');

    await act.open(agent, new URL(agent.url()).pathname);
    await expect(agent.locator('.timeline')).toContainText('alle 21:30');
    // The outcome is one choice of the same composer, with no outcome chosen in advance.
    await agent.getByLabel("Dai l'esito").check();
    await expect(agent.getByLabel('Esito', { exact: true })).toHaveValue('');
    await agent.getByLabel('Messaggio', { exact: true }).fill('Credito accreditato: trovi i 20 euro sul conto.');
    await agent.getByRole('button', { name: "Invia l'esito" }).click();
    await expect(agent.locator('#f-outcome-error')).toContainText('obbligatorio');
    await agent.getByLabel('Esito', { exact: true }).selectOption('solved');
    await agent.getByRole('button', { name: "Invia l'esito" }).click();
    await expect(agent.locator('.request-head .badge')).toHaveText('Risolta');
    await expect(agent.getByRole('button', { name: 'Prendi la prossima' })).toBeVisible();

    if (!customerJs) await customer.reload();
    await expect(customer.locator('.request-head .badge')).toHaveText('Risolta', { timeout: 15_000 });
    await expect(customer.locator('.timeline')).toContainText('Credito accreditato');
    // The outcome page (#21.7): the outcome's words first, then the question with two equal choices.
    await expect(customer.locator('.request-head .badge')).toHaveClass(/status-resolved/);
    const words = (await customer.locator('.outcome-message').boundingBox())!;
    const question = (await customer.locator('.outcome-question').boundingBox())!;
    expect(words.y).toBeLessThan(question.y);
    await expect(customer.locator('.timeline')).toContainText('Da quale numero hai fatto la ricarica');
    await customer.getByRole('button', { name: 'Sì, conferma e chiudi' }).click();
    await expect(customer.locator('.request-head .badge')).toHaveText('Chiusa');
    await customer.locator('label[for="f-rating-5"]').click();
    await customer.getByLabel('Commento (facoltativo)').fill('Veloci e gentili');
    await customer.getByRole('button', { name: 'Invia la valutazione' }).click();
    await expect(customer.locator('.rating-box [role=status]')).toContainText('5 su 5');

    await act.open(admin, '/admin/dashboard');
    await expect(admin.getByRole('heading', { level: 1 })).toHaveText('Cruscotto');
    await expect(admin.locator('.chart svg rect')).toHaveCount(30);
    await expect(admin.locator('.chart svg rect').last()).toBeVisible();
    await expect(admin.locator('.big-number')).toContainText('su 5');
    await act.open(admin, `/admin/audit?codice=${reference}`);
    await expect(admin.locator('table.audit')).toContainText('Agente Rossi');
    await expect(admin.locator('table.audit')).toContainText('Esito confermato dal cliente');
    await Promise.all([adminContext.close(), agentContext.close(), customerContext.close()]);
  });
}
