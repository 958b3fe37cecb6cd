// Reads the emails the server delivered with its file transport (.eml files in the mail folder).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { expect } from '@playwright/test';

const mailDir = (folder = 'mail') => path.join(process.env.SC3_E2E_DATA ?? '', folder);

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The plain-text body of an .eml file. */
function plainText(eml: string): string {
  const parts = eml.split(/\r?\n--/);
  const part = parts.find((p) => /Content-Type: text\/plain/i.test(p)) ?? eml;
  const [head, ...body] = part.split(/\r?\n\r?\n/);
  const raw = body.join('\n\n');
  if (/Content-Transfer-Encoding: base64/i.test(head)) return Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head)) return decodeQuotedPrintable(raw);
  return raw;
}

/** Waits for an email to `to` whose text contains `marker`, and returns the first link in it to `path`. */
export async function linkFromEmail(to: string, linkPath: string, folder = 'mail'): Promise<string> {
  let found = '';
  await expect
    .poll(
      () => {
        if (!fs.existsSync(mailDir(folder))) return '';
        const files = fs.readdirSync(mailDir(folder)).filter((f) => f.endsWith('.eml'));
        const texts = files
          .map((f) => fs.readFileSync(path.join(mailDir(folder), f), 'utf8'))
          .filter((eml) => eml.toLowerCase().includes(`to: ${to}`.toLowerCase()))
          .map(plainText);
        for (const text of texts) {
          const m = text.match(new RegExp(`https?://[^\\s]+${linkPath.replace(/[?]/g, '\\?')}[^\\s]*`));
          if (m) found = m[0];
        }
        return found;
      },
      { timeout: 15_000, message: `an email to ${to} with a ${linkPath} link` },
    )
    .not.toBe('');
  return new URL(found).pathname + new URL(found).search;
}

/** Waits for an email to `to` whose plain text contains `marker`; its text. */
export async function emailWith(to: string, marker: string, folder = 'mail'): Promise<string> {
  let found = '';
  await expect
    .poll(
      () => {
        if (!fs.existsSync(mailDir(folder))) return '';
        for (const f of fs.readdirSync(mailDir(folder)).filter((f) => f.endsWith('.eml'))) {
          const eml = fs.readFileSync(path.join(mailDir(folder), f), 'utf8');
          if (!eml.toLowerCase().includes(`to: ${to}`.toLowerCase())) continue;
          const text = plainText(eml);
          if (text.includes(marker)) found = text;
        }
        return found;
      },
      { timeout: 15_000, message: `an email to ${to} saying ${marker}` },
    )
    .not.toBe('');
  return found;
}
