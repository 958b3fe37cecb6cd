// Accounts, as a customer lives them: register, open the link from the email, confirm, log in, log
// out, reset the password. In Italian with JavaScript, in English without it.
import { expect, test, type Page } from '@playwright/test';
import { act } from './support/shell';
import { linkFromEmail } from './support/mail';

const unique = () => `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

async function registerAs(page: Page, t: Record<string, string>, who: { name: string; email: string; password: string }) {
  await page.getByLabel(t.name, { exact: true }).fill(who.name);
  await page.getByLabel(t.email, { exact: true }).fill(who.email);
  await page.getByLabel(t.password, { exact: true }).fill(who.password);
  await page.getByLabel(t.repeat, { exact: true }).fill(who.password);
  await page.locator('#f-accept_privacy').check();
  await page.locator('#f-accept_conduct').check();
  await page.getByRole('button', { name: t.create }).click();
}

async function logIn(page: Page, t: Record<string, string>, email: string, password: string) {
  await page.getByLabel(t.email, { exact: true }).fill(email);
  await page.getByLabel(t.password, { exact: true }).fill(password);
  await page.getByRole('main').getByRole('button', { name: t.login }).click();
}

const it = {
  name: 'Nome e cognome', email: 'Email', password: 'Password', repeat: 'Ripeti la password', create: "Crea l'account",
  check: 'Controlla la tua casella email', login: 'Accedi', confirmed: 'Indirizzo email confermato', account: 'Il mio account',
  requests: 'Le mie richieste',
  logout: 'Esci', forgot: 'Hai dimenticato la password?', sendLink: 'Inviami il link', newPassword: 'Nuova password',
  repeatNew: 'Ripeti la nuova password', save: 'Salva la nuova password', resetDone: 'Password reimpostata', weak: 'tra le più usate',
};
const en = {
  name: 'Full name', email: 'Email', password: 'Password', repeat: 'Repeat the password', create: 'Create the account',
  check: 'Check your inbox', login: 'Log in', confirmed: 'Email address confirmed', account: 'My account',
  requests: 'My requests',
  logout: 'Log out', forgot: 'Forgot your password?', sendLink: 'Send me the link', newPassword: 'New password',
  repeatNew: 'Repeat the new password', save: 'Save the new password', resetDone: 'Password reset', weak: 'among the most used',
};

for (const [label, t, js, locale] of [
  ['in Italian with JavaScript', it, true, 'it-IT'],
  ['in English without JavaScript', en, false, 'en-US'],
] as const) {
  test.describe(label, () => {
    test.use({ javaScriptEnabled: js, locale });

    test('a customer registers, confirms, logs in, logs out and resets the password', async ({ page }) => {
      const who = { name: 'Giulia Bianchi', email: `giulia-${unique()}@example.it`, password: 'violet-otter-canyon-42' };
      await act.open(page, '/registrati', { hydrated: js });

      // A weak password is refused with its reason, next to the field, and nothing is created.
      await registerAs(page, t, { ...who, password: 'password123' });
      await expect(page.locator('#f-password-error')).toContainText(t.weak);

      await registerAs(page, t, who);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.check);

      await page.goto(await linkFromEmail(who.email, '/conferma/'));
      await expect(page.getByRole('status')).toContainText(t.confirmed);

      await logIn(page, t, who.email, who.password);
      // Customers land on their requests (#21.6); the account page is one click away.
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.requests);
      await act.open(page, '/account', { hydrated: js });
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.account);
      await expect(page.getByLabel(t.name, { exact: true })).toHaveValue(who.name);

      await page.getByRole('button', { name: t.logout }).click();
      await expect(page).toHaveURL(/\/$/);
      await expect(page.getByRole('navigation', { name: /account/i }).getByRole('link', { name: t.login })).toBeVisible();

      await act.open(page, '/accedi', { hydrated: js });
      await page.getByRole('link', { name: t.forgot }).click();
      // Hydrated, the next page comes with its own WASM chunk: until it arrives the login page (which has
      // an Email field too) stays on screen, so wait for the new page before typing.
      await expect(page.getByRole('button', { name: t.sendLink })).toBeVisible();
      await page.getByLabel(t.email, { exact: true }).fill(who.email);
      await page.getByRole('button', { name: t.sendLink }).click();
      await expect(page.getByRole('status')).toBeVisible();
      await page.goto(await linkFromEmail(who.email, '/reimposta-password?token='));
      const fresh = 'amber-falcon-harbour-19';
      await page.getByLabel(t.newPassword, { exact: true }).fill(fresh);
      await page.getByLabel(t.repeatNew, { exact: true }).fill(fresh);
      await page.getByRole('button', { name: t.save }).click();
      await expect(page.getByRole('status')).toContainText(t.resetDone);
      await logIn(page, t, who.email, fresh);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.requests);
    });
  });
}

test.describe('hydrated registration form', () => {
  test('checks a field as soon as it changes, with the same rules as the server', async ({ page }) => {
    await act.open(page, '/registrati');
    await page.getByLabel('Email', { exact: true }).fill('not-an-email');
    await page.getByLabel('Password', { exact: true }).focus();
    await expect(page.locator('#f-email-error')).toContainText('Scrivi un indirizzo email valido');
    await page.getByLabel('Email', { exact: true }).fill('giulia@example.it');
    await page.getByLabel('Password', { exact: true }).focus();
    await expect(page.locator('#f-email-error')).toBeEmpty();
  });
});
