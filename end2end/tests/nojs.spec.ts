// The same pages with JavaScript disabled: server-rendered links and the server-side language switch.
import { expect, test } from '@playwright/test';
import { act, check, find } from './support/shell';

test.use({ javaScriptEnabled: false });

test('every tab works without JavaScript', async ({ page }) => {
  await act.open(page, '/', { hydrated: false });
  await check.heading(page, 'Ti aiutiamo in privato');
  await find.tab(page, 'Assistenza').click();
  await expect(page).toHaveURL(/\/assistenza$/);
  await check.heading(page, 'Assistenza / Social Care');
  await find.tab(page, 'Info').click();
  await check.heading(page, 'Le regole del servizio');
  await expect(page.locator('html[data-hydrated]')).toHaveCount(0);
});

test('the language switch works without JavaScript and is remembered', async ({ page }) => {
  await act.open(page, '/info', { hydrated: false });
  await find.langSwitch(page).click();
  await expect(page).toHaveURL(/\/info$/);
  await check.language(page, 'en');
  await check.heading(page, 'The rules of the service');
  await find.tab(page, 'Home').click();
  await check.heading(page, 'We help you in private');
});
