// Accessibility (axe-core: no serious or critical violation) and screenshots at phone and desktop
// sizes, saved under end2end/screenshots/ as test artifacts.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { act } from './support/shell';

const pages = ['/', '/assistenza', '/info', '/non-esiste', '/registrati', '/accedi', '/password-dimenticata'];
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

for (const vp of viewports) {
  test(`screenshots at ${vp.width}x${vp.height}`, async ({ page }) => {
    await page.setViewportSize({ width: vp.width, height: vp.height });
    for (const path of pages) {
      await act.open(page, path);
      const name = path === '/' ? 'home' : path.slice(1);
      await page.screenshot({ path: `screenshots/${vp.name}-${name}.png`, fullPage: true });
    }
  });
}
