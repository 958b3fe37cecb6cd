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

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  // One retry under CI, reported as flaky: a flaky test is a defect to look at, not to hide.
  retries: process.env.CI ? 1 : 0,
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
  webServer: {
    command: `"${server}" --bind 127.0.0.1:${port} --database-url "sqlite://${dataDir}/e2e.db" --mail-dir "${dataDir}/mail" --public-url http://127.0.0.1:${port}` +
      // Every test logs in from the same address: limits for a crowd (security tests set their own).
      ' --limit-login-ip 10000/60 --limit-login-email 10000/60 --limit-register-ip 10000/60 --limit-reset-ip 10000/60' +
      ' --limit-reset-email 10000/60 --limit-new-request 10000/60 --limit-global-ip 100000/60' +
      // The server's log, kept for scripts/test.sh to search for panics and leaked secrets afterwards.
      ` >> "${dataDir}/server.log" 2>&1`,
    url: `http://127.0.0.1:${port}/readyz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
