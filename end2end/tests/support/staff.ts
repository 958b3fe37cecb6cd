// Staff accounts for browser tests: the first admin comes from `server create-admin`, as in production.
import { execFileSync } from 'node:child_process';
import { expect, type Page } from '@playwright/test';
import { act } from './shell';
import { unique } from './customer';

export const ADMIN_PASSWORD = 'copper-lantern-meadow-88';

export function createAdmin(
  email = `admin-${unique()}@example.it`,
  database = `sqlite://${process.env.SC3_E2E_DATA!}/e2e.db`,
): string {
  execFileSync(
    process.env.SC3_SERVER_BIN!,
    ['--database-url', database, 'create-admin', '--email', email, '--name', 'Prima Admin'],
    { input: `${ADMIN_PASSWORD}\n` },
  );
  return email;
}

export async function logIn(page: Page, email: string, password: string) {
  await act.open(page, '/accedi');
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('main').getByRole('button', { name: 'Accedi' }).click();
  // Staff land on the queue (#21.6).
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Coda');
}
