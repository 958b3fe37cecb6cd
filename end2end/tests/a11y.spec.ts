// Accessibility (axe-core: no serious or critical violation) and screenshots at phone and desktop
// sizes, saved under end2end/screenshots/ as test artifacts.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { seriousViolations } from './support/a11y';
import { act } from './support/shell';
import { signedInCustomer } from './support/customer';
import { ADMIN_PASSWORD, createAdmin, logIn } from './support/staff';

const pages = ['/', '/assistenza', '/info', '/privacy', '/stato', '/non-esiste', '/registrati', '/accedi', '/password-dimenticata'];
const viewports = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
];

for (const locale of ['it-IT', 'en-US']) {
  test.describe(`in ${locale}`, () => {
    test.use({ locale });
    for (const path of pages) {
      test(`${path} has no serious accessibility violation`, async ({ page }) => {
        await act.open(page, path);
        const results = await new AxeBuilder({ page }).analyze();
        const bad = results.violations
          .filter((v) => v.impact === 'serious' || v.impact === 'critical')
          .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
        expect(bad).toEqual([]);
      });
    }
  });
}


test('the customer and care-pool pages have no serious accessibility violation, on a phone', async ({ browser }) => {
  test.setTimeout(90_000);
  const viewport = viewports[0];
  const customerContext = await browser.newContext({ viewport });
  const customer = await customerContext.newPage();
  await signedInCustomer(customer);
  const res = await customer.request.post('/api/requests/submit', {
    multipart: {
      category: 'device', subject: 'Il telefono si spegne', description: 'Si spegne da solo più volte al giorno, anche carico.',
      line_number: '333 765 4321', contact: 'phone', reported_on: 'facebook', public_handle: '@mario', consent: 'yes',
    },
    headers: { Accept: 'text/html' },
    maxRedirects: 0,
  });
  const requestPage = res.headers()['location'].split('?')[0];
  for (const path of ['/assistenza/nuova', '/assistenza/richieste', requestPage, '/account']) {
    await act.open(customer, path);
    expect(await seriousViolations(customer), path).toEqual([]);
    await expectFitsAndShowsItsPage(customer, viewport.width, path);
    // The header in two lines (#21.8): the page's name, then the account's links and the language in one row.
    const actions = (await customer.locator('.identity .header-actions').boundingBox())!;
    expect(actions.height, `${path}: the header's links in one row`).toBeLessThan(56);
    await customer.screenshot({ path: `screenshots/phone-customer${path.replaceAll('/', '-')}.png`, fullPage: true });
  }
  const adminContext = await browser.newContext({ viewport });
  const admin = await adminContext.newPage();
  await logIn(admin, createAdmin(), ADMIN_PASSWORD);
  const reference = requestPage.split('/').pop();
  for (const path of ['/admin', `/admin/richieste/${reference}`, '/admin/cerca', '/admin/staff', '/admin/audit', '/admin/dashboard', '/admin/privacy']) {
    await act.open(admin, path);
    expect(await seriousViolations(admin), path).toEqual([]);
    await expectFitsAndShowsItsPage(admin, viewport.width, path);
    await admin.screenshot({ path: `screenshots/phone-staff${path.replaceAll('/', '-')}.png`, fullPage: true });
  }
  await Promise.all([customerContext.close(), adminContext.close()]);
});

// What every screenshot must show: the page's own heading and its navigation (the tabs; on staff pages the
// sections), and nothing wider than the screen (a phone never scrolls sideways).
async function expectFitsAndShowsItsPage(page: import('@playwright/test').Page, width: number, path: string) {
  await expect(page.locator('main h1').first(), `${path}: its heading`).toBeVisible();
  const nav = path.startsWith('/admin') ? 'nav.staff-nav' : 'nav.tabs';
  await expect(page.locator(nav), `${path}: its navigation`).toBeVisible();
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(scrollWidth, `${path}: no sideways scrolling at ${width}px`).toBeLessThanOrEqual(width);
}

for (const vp of viewports) {
  test(`screenshots at ${vp.width}x${vp.height}`, async ({ page }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    for (const path of pages) {
      await act.open(page, path);
      await expectFitsAndShowsItsPage(page, vp.width, path);
      const name = path === '/' ? 'home' : path.slice(1);
      await page.screenshot({ path: `screenshots/${vp.name}-${name}.png`, fullPage: true });
    }
  });
}
