// A registered, confirmed, logged-in customer in a browser context, made through the same server
// functions the pages post to (the registration pages have their own tests in accounts.spec.ts).
import { expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { linkFromEmail } from './mail';
import type { Server } from './servers';

export const PASSWORD = 'violet-otter-canyon-42';
export const unique = () => `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;

/** Signs a new customer in on the suite's server, or on `server` (see servers.ts). */
export async function signedInCustomer(page: Page, name = 'Mario Rossi', server?: Server): Promise<string> {
  const base = server?.base ?? '';
  const email = `cliente-${unique()}@example.it`;
  const form = {
    display_name: name, email, password: PASSWORD, password_confirm: PASSWORD, line_number: '333 765 4321',
    accept_privacy: 'yes', accept_conduct: 'yes',
  };
  const headers = { Accept: 'text/html' };
  const reg = await page.request.post(`${base}/api/register`, { form, headers, maxRedirects: 0 });
  expect(reg.headers()['location']).toBe('/registrati/controlla');
  const link = await linkFromEmail(email, '/conferma/', server?.mail);
  await page.request.get(`${base}${link}`, { maxRedirects: 0 });
  const login = await page.request.post(`${base}/api/login`, { form: { email, password: PASSWORD }, headers, maxRedirects: 0 });
  expect(login.headers()['location']).toBe('/assistenza/richieste');
  return email;
}

/** A new customer in a browser context of their own on `server`, with or without JavaScript. */
export async function customerOn(
  browser: Browser,
  server: Server,
  javaScriptEnabled: boolean,
  name: string,
): Promise<{ context: BrowserContext; page: Page; email: string }> {
  const context = await browser.newContext({ baseURL: server.base, javaScriptEnabled });
  const page = await context.newPage();
  const email = await signedInCustomer(page, name, server);
  return { context, page, email };
}
