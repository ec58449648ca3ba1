// What `npm start` and `npm test` need before anything runs: the Debian packages and Node 24.
import { ensureSystemPackages } from './systemPackages.mjs';
import { ensureTestNode } from './testNode.mjs';

/** Installs what is missing, or says what to do and exits. */
export function ensurePrerequisitesOrExit() {
  try {
    ensureSystemPackages();
    ensureTestNode();
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
