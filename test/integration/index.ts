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
  for (const name of readdirSync(__dirname, { recursive: true, encoding: 'utf8' })) {
    if (name.endsWith('.test.js')) {
      mocha.addFile(join(__dirname, name));
    }
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
