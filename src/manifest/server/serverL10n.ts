import * as l10n from '@vscode/l10n';
import { readFileSync } from 'node:fs';

/**
 * Loads the runtime bundle the client hands over (`initializationOptions.l10nBundlePath`, the
 * `vscode.l10n.uri` of the user's language) into the server's `@vscode/l10n`. It runs in
 * `initialize`, before any message is built: every message of the server is made on demand, none
 * at module load.
 *
 * A bundle that cannot be read or is not a JSON object of strings leaves the server in English:
 * the problem is returned as a line for the server's log, never thrown, so `initialize` succeeds.
 */
export function configureServerL10n(bundlePath: unknown): string | undefined {
  if (bundlePath === undefined || bundlePath === null || bundlePath === '') {
    return undefined;
  }
  if (typeof bundlePath !== 'string') {
    return `The l10n bundle path is not a string (${typeof bundlePath}); messages stay in English.`;
  }
  let contents: unknown;
  try {
    contents = JSON.parse(readFileSync(bundlePath, 'utf8'));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return `The l10n bundle ${bundlePath} could not be read (${reason}); messages stay in English.`;
  }
  const problem = bundleProblem(contents);
  if (problem) {
    return `The l10n bundle ${bundlePath} ${problem}; messages stay in English.`;
  }
  l10n.config({ contents: contents as Record<string, string> });
  return undefined;
}

/** What makes `contents` unusable as a bundle: it must map each message to its translation. */
function bundleProblem(contents: unknown): string | undefined {
  if (typeof contents !== 'object' || contents === null || Array.isArray(contents)) {
    return 'is not a JSON object';
  }
  const notText = Object.entries(contents).find(([, value]) => typeof value !== 'string');
  return notText ? `has a translation that is not a string ("${notText[0]}")` : undefined;
}
