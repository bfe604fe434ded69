// A tiny mysql2 client for the integration tests (the line protocol of ../java/SqlClient.java).
//
//   node sql_client.js HOST PORT USER PASSWORD [--opt KEY=VALUE]... [SQL]...
//
// Connects with mysql2 (each --opt KEY=VALUE goes into the connection options; VALUE is parsed as
// JSON when it can be, e.g. connectTimeout=5000), runs each SQL statement in order and prints one
// line per event, fields separated by tabs:
//   connected
//   row      V1 V2 ...               one line per result row (NULL for a null)
//   ok       AFFECTED_ROWS           a statement without a result set
//   error    CODE SQLSTATE MESSAGE   the error's errno, sqlState and message
// A failed connect prints its error and stops; a failed statement prints its error and goes on.
// A statement "ps:SQL|P1|P2..." runs as a server-side prepared statement (connection.execute) with
// string parameters P1, P2, ... A statement "wait:PATH" prints "waiting" and then waits (on the
// same connection, idle) until the file PATH exists, at most 120 s; it prints "error" if it never
// appears. A statement "unprepare:SQL" closes mysql2's prepared statement of SQL (COM_STMT_CLOSE)
// and prints "closed".
// Exit status: 0 without errors, 1 with any.
'use strict';

const fs = require('fs');
const mysql = require('mysql2/promise');

async function waitForFile(path) {
  const deadline = Date.now() + 120000;
  while (!fs.existsSync(path)) {
    if (Date.now() > deadline) throw new Error(`${path} did not appear within 120 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function oneLine(text) {
  return String(text).replace(/[\t\r\n]/g, ' ');
}

function printError(err) {
  const code = err.errno === undefined ? -1 : err.errno;
  console.log(['error', code, err.sqlState || 'null', oneLine(err.message)].join('\t'));
}

function parseArgs(argv) {
  if (argv.length < 4) {
    console.error('usage: sql_client.js HOST PORT USER PASSWORD [--opt KEY=VALUE]... [SQL]...');
    process.exit(2);
  }
  const options = {host: argv[0], port: Number(argv[1]), user: argv[2], password: argv[3]};
  const statements = [];
  for (let i = 4; i < argv.length; ++i) {
    if (argv[i] === '--opt' && i + 1 < argv.length) {
      const [key, ...rest] = argv[++i].split('=');
      const value = rest.join('=');
      try {
        options[key] = JSON.parse(value);
      } catch {
        options[key] = value;
      }
    } else {
      statements.push(argv[i]);
    }
  }
  return {options, statements};
}

async function main() {
  const {options, statements} = parseArgs(process.argv.slice(2));
  let connection;
  try {
    connection = await mysql.createConnection(options);
  } catch (err) {
    printError(err);
    return 1;
  }
  console.log('connected');
  let failed = false;
  for (const sql of statements) {
    try {
      let result;
      if (sql.startsWith('wait:')) {
        console.log('waiting');
        await waitForFile(sql.slice(5));
        continue;
      }
      if (sql.startsWith('unprepare:')) {
        connection.unprepare({sql: sql.slice(10), rowsAsArray: true});  // execute()'s key
        console.log('closed');
        continue;
      }
      if (sql.startsWith('ps:')) {
        const [text, ...params] = sql.slice(3).split('|');
        [result] = await connection.execute({sql: text, rowsAsArray: true}, params);
      } else {
        [result] = await connection.query({sql, rowsAsArray: true});
      }
      if (Array.isArray(result)) {
        for (const row of result) {
          console.log(['row', ...row.map((v) => (v === null ? 'NULL' : oneLine(v)))].join('\t'));
        }
      } else {
        console.log(`ok\t${result.affectedRows}`);
      }
    } catch (err) {
      printError(err);
      failed = true;
    }
  }
  await connection.end().catch(() => {});
  return failed ? 1 : 0;
}

main().then((status) => process.exit(status));
