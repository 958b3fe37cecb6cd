// The suite drives Debian's Chromium (Playwright's own browser download cannot work here) against the
// server binary that scripts/test.sh built, on a throwaway SQLite database.
import { defineConfig } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const port = Number(process.env.SC3_E2E_PORT ?? 3107);
const server = process.env.SC3_SERVER_BIN;
if (!server) throw new Error('SC3_SERVER_BIN is not set: run the suite through scripts/test.sh');
const dataDir = process.env.SC3_E2E_DATA ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sc3-e2e-'));
process.env.SC3_E2E_DATA = dataDir;

const pgPort = port + 1;
const pgUrl = process.env.SC3_E2E_PG_URL;
process.env.SC3_E2E_PG_PORT = String(pgPort);
// The care-pool spec works the FIFO queue: it has a server and database of its own, so "take the next
// request" takes its request and no other spec's.
const queuePort = port + 2;
process.env.SC3_E2E_QUEUE_PORT = String(queuePort);
process.env.SC3_E2E_PORT = String(port);

function serverOn(at: number, database: string, mail: string, log: string) {
  return {
    command: `"${server}" --bind 127.0.0.1:${at} --database-url "${database}" --mail-dir "${dataDir}/${mail}" --public-url http://127.0.0.1:${at}` +
      // Every test logs in from the same address: limits for a crowd (security tests set their own).
      ' --limit-login-ip 10000/60 --limit-login-email 10000/60 --limit-register-ip 10000/60 --limit-reset-ip 10000/60' +
      ' --limit-reset-email 10000/60 --limit-new-request 10000/60 --limit-global-ip 100000/60' +
      // The server's log, kept for scripts/test.sh to search for panics and leaked secrets afterwards.
      ` >> "${dataDir}/${log}" 2>&1`,
    url: `http://127.0.0.1:${at}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
  };
}

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  // No retries: a test that fails once is a defect to find, not noise.
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    locale: 'it-IT',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.SC3_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
        '--disable-sync', '--no-first-run', '--disable-quic',
      ],
    },
  },
  // The SQLite server every spec uses, and (when scripts/test.sh made a database for it) a second one on
  // PostgreSQL for the specs that must pass on both (`servers` in tests/support/servers.ts).
  webServer: [
    serverOn(port, `sqlite://${dataDir}/e2e.db`, 'mail', 'server.log'),
    serverOn(queuePort, `sqlite://${dataDir}/queue.db`, 'mail-queue', 'server-queue.log'),
    serverOn(queuePort + 1, `sqlite://${dataDir}/wall.db`, 'mail-wall', 'server-wall.log'),
    serverOn(queuePort + 2, `sqlite://${dataDir}/consent.db`, 'mail-consent', 'server-consent.log'),
    serverOn(queuePort + 3, `sqlite://${dataDir}/incident.db`, 'mail-incident', 'server-incident.log'),
    ...(pgUrl ? [serverOn(pgPort, pgUrl, 'mail-pg', 'server-pg.log')] : []),
  ],
});
