// The servers the suite runs (playwright.config.ts): SQLite always, PostgreSQL when scripts/test.sh made a
// database for it. Specs that must pass on both databases run once per server.
export type Server = { name: string; base: string; mail: string };

const port = Number(process.env.SC3_E2E_PORT ?? 3107);
const pgPort = Number(process.env.SC3_E2E_PG_PORT ?? port + 1);
const queuePort = Number(process.env.SC3_E2E_QUEUE_PORT ?? port + 2);

export const servers: Server[] = [
  { name: 'SQLite', base: `http://127.0.0.1:${port}`, mail: 'mail' },
  ...(process.env.SC3_E2E_PG_URL ? [{ name: 'PostgreSQL', base: `http://127.0.0.1:${pgPort}`, mail: 'mail-pg' }] : []),
];

if (process.env.CI === 'true' && servers.length < 2) {
  throw new Error('CI=true but no PostgreSQL server for the end-to-end suite (SC3_E2E_PG_URL is not set)');
}

/** The wall spec's own server and SQLite database: its posts stay off the other specs' home page, and its
 * private requests out of the care-pool spec's queue. */
export const wallServer: Server & { database: string } = {
  name: 'SQLite (wall)',
  base: `http://127.0.0.1:${queuePort + 1}`,
  mail: 'mail-wall',
  database: `sqlite://${process.env.SC3_E2E_DATA}/wall.db`,
};

/** The consent spec's own server and SQLite database: the new privacy notice it publishes asks only its
 * own customers to accept it again. */
export const consentServer: Server & { database: string } = {
  name: 'SQLite (consent)',
  base: `http://127.0.0.1:${queuePort + 2}`,
  mail: 'mail-consent',
  database: `sqlite://${process.env.SC3_E2E_DATA}/consent.db`,
};

/** The care-pool spec's own server and SQLite database: nothing else puts requests in its queue. */
export const queueServer: Server & { database: string } = {
  name: 'SQLite (queue)',
  base: `http://127.0.0.1:${queuePort}`,
  mail: 'mail-queue',
  database: `sqlite://${process.env.SC3_E2E_DATA}/queue.db`,
};

/** The incidents spec's own server and SQLite database: its open incident's banner and its linked requests
 * stay off the other specs' pages and queue. */
export const incidentServer: Server & { database: string } = {
  name: 'SQLite (incidents)',
  base: `http://127.0.0.1:${queuePort + 3}`,
  mail: 'mail-incident',
  database: `sqlite://${process.env.SC3_E2E_DATA}/incident.db`,
};
