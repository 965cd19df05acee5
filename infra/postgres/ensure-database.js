#!/usr/bin/env node
// Waits until Postgres accepts connections at <url>, then (optionally) creates database <name>
// there if it is missing. Uses the driver the services use, so no psql client is required.
// Usage: node ensure-database.js <url> <timeoutSeconds> [databaseToCreate]
const { Client } = require('pg');

const [url, timeoutArg, database] = process.argv.slice(2);
if (!url) {
  console.error('usage: ensure-database.js <url> <timeoutSeconds> [database]');
  process.exit(64);
}
const deadline = Date.now() + Number(timeoutArg ?? 30) * 1000;

async function connect() {
  let last;
  for (;;) {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      return client;
    } catch (error) {
      last = error;
      await client.end().catch(() => undefined);
    }
    // Authentication and missing-database errors will not heal by waiting.
    if (last && (['28P01', '28000', '3D000'].includes(last.code) || /password|SASL/i.test(last.message))) break;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  console.error(`postgres at ${url.replace(/:[^:@/]*@/, ':***@')} not reachable: ${last && last.message}`);
  process.exit(1);
}

(async () => {
  const client = await connect();
  try {
    if (database) {
      const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (rowCount === 0) {
        try {
          await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
          console.error(`postgres: created database ${database}`);
        } catch (error) {
          // A concurrent start created it first: that is the outcome we wanted.
          if (error.code !== '42P04') throw error;
        }
      }
    }
  } finally {
    await client.end();
  }
})().catch((error) => {
  console.error(`postgres: ${error.message}`);
  process.exit(1);
});
