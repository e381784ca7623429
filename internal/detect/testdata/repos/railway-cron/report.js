const { Client } = require('pg');

async function main() {
  const db = new Client();
  await db.connect();
  await db.end();
}

main();
