// Loaded by VS Code's extension host as extensionTestsPath: runs every bundled *.test.js beside it.
import { appendFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export function run(): Promise<void> {
  // The test host passes a file for the report, so it is not lost among the workbench's own logs.
  const report = process.env.PPE_TEST_REPORT;
  if (report) {
    Mocha.reporters.Base.consoleLog = (...args: unknown[]) =>
      appendFileSync(report, `${format(...args)}\n`);
  }
  // runTest.ts picks the tests for the cluster at hand (on the real node: all but @sandbox ones).
  const mocha = new Mocha({
    ui: 'bdd',
    color: false,
    timeout: 60_000,
    reporter: 'spec',
    grep: process.env.PPE_TEST_GREP,
    invert: process.env.PPE_TEST_GREP_INVERT === '1',
  });
  // The suites of a display language are in locale/<language>/ and run only in an editor started
  // in that language (runTest.ts: PPE_TEST_LOCALE and --locale); every other suite runs in English.
  const locale = process.env.PPE_TEST_LOCALE;
  const suites = readdirSync(__dirname, { recursive: true, encoding: 'utf8' }).filter(
    (name) =>
      name.endsWith('.test.js') &&
      (locale ? name.startsWith(join('locale', locale, '/')) : !name.startsWith('locale/')),
  );
  if (suites.length === 0) {
    return Promise.reject(new Error(`no in-editor suite for ${locale ?? 'English'}`));
  }
  for (const name of suites) {
    mocha.addFile(join(__dirname, name));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      if (failures > 0) {
        reject(new Error(`${failures} in-editor test(s) failed`));
      } else {
        resolve();
      }
    });
  });
}
