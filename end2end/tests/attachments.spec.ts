// Attachments (#19) in Chromium: a customer attaches a phone photo to a new request, with and without
// JavaScript; the photo's EXIF (orientation 6, a GPS position, a camera serial) is gone from what staff
// download, and the image is turned the right way up.
//
// The fixture `fixtures/phone-photo.jpg` is a 640×480 JPEG (left half red) with an EXIF block: Orientation
// = 6 (turn 90° clockwise), a GPS IFD, and the bytes "CAMERA-SERIAL-SC3-0042".
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { act } from './support/shell';
import { seriousViolations } from './support/a11y';
import { signedInCustomer } from './support/customer';
import { ADMIN_PASSWORD, createAdmin, logIn } from './support/staff';

const photo = readFileSync(path.join(__dirname, 'fixtures', 'phone-photo.jpg'));
const SERIAL = 'CAMERA-SERIAL-SC3-0042';

/** Fills the request form's fields (not the files). */
async function fillRequest(page: Page, subject: string, description: string, handle: string) {
  await page.getByLabel('Argomento').selectOption('billing');
  await page.getByLabel('Oggetto').fill(subject);
  await page.getByLabel('Descrizione').fill(description);
  await page.getByText('Facebook', { exact: true }).click();
  await page.getByLabel('Il tuo nome o @ su quel social').fill(handle);
}

for (const js of [true, false]) {
  test(`a photo attached ${js ? 'with' : 'without'} JavaScript reaches staff without its EXIF`, async ({ browser }) => {
    expect(photo.includes('Exif') && photo.includes(SERIAL), 'the fixture carries EXIF and a serial').toBeTruthy();
    const customerContext = await browser.newContext({ javaScriptEnabled: js });
    const page = await customerContext.newPage();
    await signedInCustomer(page, 'Giulia Allegati');
    await act.open(page, '/assistenza/nuova', { hydrated: js });
    await fillRequest(page, 'Addebito sulla bolletta', "Nella bolletta di novembre c'è un addebito che non riconosco: allego la foto.", '@giulia');
    const picker = page.getByLabel('Allegati (facoltativi)');
    await expect(page.getByText('fino a 3 file, 5 MB ciascuno')).toBeVisible();
    await picker.setInputFiles({ name: 'IMG_0042.jpg', mimeType: 'image/jpeg', buffer: photo });
    if (js) {
      // The chosen image shows before it is sent.
      await expect(page.locator('.file-previews img')).toHaveCount(1);
      await expect(page.locator('.file-previews')).toContainText('IMG_0042.jpg');
      expect(await seriousViolations(page)).toEqual([]);
    }
    await page.getByRole('button', { name: 'Invia la richiesta' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Addebito sulla bolletta');
    const reference = page.url().match(/SC3-\d+/)![0];

    // The customer sees it in the timeline: a thumbnail the shape of the turned photo (portrait).
    const thumb = page.locator('.files .file.image img');
    await expect(thumb).toBeVisible();
    expect(Number(await thumb.getAttribute('height'))).toBeGreaterThan(Number(await thumb.getAttribute('width')));
    const thumbnail = await page.request.get((await thumb.getAttribute('src'))!);
    expect(thumbnail.status()).toBe(200);
    expect(thumbnail.headers()['content-type']).toBe('image/jpeg');

    // Staff open the case and download the photo.
    const staffContext = await browser.newContext();
    const admin = await staffContext.newPage();
    const adminEmail = createAdmin();
    await logIn(admin, adminEmail, ADMIN_PASSWORD);
    await act.open(admin, `/admin/richieste/${reference}`);
    const link = admin.locator('.conversation .files .file.image a');
    await expect(link.locator('img')).toBeVisible();
    const href = (await link.getAttribute('href'))!;
    const download = await admin.request.get(href);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('image/jpeg');
    expect(download.headers()['x-content-type-options']).toBe('nosniff');
    const stored = await download.body();
    expect([...stored.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(stored.includes('Exif'), 'no EXIF block').toBeFalsy();
    expect(stored.includes(SERIAL), 'no camera serial').toBeFalsy();
    expect(stored.includes('GPS'), 'no GPS data').toBeFalsy();

    // Anyone else gets not-found.
    const strangerContext = await browser.newContext();
    const stranger = await strangerContext.newPage();
    await signedInCustomer(stranger, 'Altro Cliente');
    expect((await stranger.request.get(href)).status()).toBe(404);
    await Promise.all([customerContext.close(), staffContext.close(), strangerContext.close()]);
  });
}

test('a file of the wrong kind is refused next to the field and the words stay', async ({ page }) => {
  await signedInCustomer(page, 'Paolo Sbagliato');
  await act.open(page, '/assistenza/nuova');
  await fillRequest(page, 'Fattura con errore', 'La fattura riporta un importo diverso da quello della mia offerta.', '@paolo');
  await page.getByLabel('Allegati (facoltativi)').setInputFiles({
    name: 'bolletta.jpg',
    mimeType: 'image/jpeg',
    buffer: Buffer.from('<html><script>alert(document.cookie)</script></html>'),
  });
  await page.getByRole('button', { name: 'Invia la richiesta' }).click();
  await expect(page.locator('#files-error')).toHaveText(/Questo tipo di file non è accettato/);
  await expect(page.getByLabel('Oggetto')).toHaveValue('Fattura con errore');
  await expect(page.getByLabel('Allegati (facoltativi)')).toBeFocused();
});

test('on a slow line a hydrated form shows how much of the upload is sent', async ({ page, context }) => {
  await signedInCustomer(page, 'Lina Lenta');
  await act.open(page, '/assistenza/nuova');
  await fillRequest(page, 'Ricevuta della ricarica', 'Allego la ricevuta della ricarica che non risulta accreditata.', '@lina');
  // 1.5 MB that are not an image: the server refuses them, but only once they have arrived.
  const bytes = Buffer.alloc(1_500_000, 7);
  await page.getByLabel('Allegati (facoltativi)').setInputFiles({ name: 'ricevuta.jpg', mimeType: 'image/jpeg', buffer: bytes });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false, latency: 100, downloadThroughput: 256 * 1024, uploadThroughput: 256 * 1024,
  });
  await page.getByRole('button', { name: 'Invia la richiesta' }).click();
  const progress = page.locator('.upload-progress');
  await expect(progress).toBeVisible();
  await expect(progress).toContainText('%');
  await expect(page.locator('button[type="submit"][aria-busy="true"]')).toBeDisabled();
  await expect(page.locator('#files-error')).toHaveText(/Questo tipo di file non è accettato/, { timeout: 30_000 });
  await expect(progress).toHaveCount(0);
});
