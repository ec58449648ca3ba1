// A process's environment from the bytes of /proc/PID/environ, with the values that look like
// secrets marked so the details document can mask them.
import { MASK, isLiveSecretName, maskSecretShapes } from '../secrets/secretPatterns';

export { MASK };

export interface EnvironmentVariable {
  /** Empty for an entry that is not NAME=VALUE (no `=`, a space in the name): then `value` is it all. */
  readonly name: string;
  readonly value: string;
  /** The name or the value looks like a secret: masked until the user reveals it. */
  readonly secret: boolean;
}

export type Environment =
  | { readonly kind: 'variables'; readonly variables: readonly EnvironmentVariable[] }
  | { readonly kind: 'empty' }
  /**
   * Not KEY=VALUE pairs: the process rewrote its title over its original environment (nginx,
   * postgres and many daemons do), and environ now shows that text and NUL padding. `text` is
   * what is readable there, control characters and all (the caller escapes it).
   */
  | { readonly kind: 'overwritten'; readonly text: string };

export function looksSecret(name: string, value: string): boolean {
  // The live value, not a manifest's: `$` in it is a character, not a reference.
  return isLiveSecretName(name) || maskSecretShapes(value) !== value;
}

/**
 * A name as environments hold them: no `=`, no whitespace or control characters. Kubernetes lets
 * names hold other printable characters; a space, though, is what a rewritten title has.
 */
const VARIABLE_NAME = /^[^=\s\p{Cc}]+$/u;

export function parseEnviron(bytes: Uint8Array): Environment {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.length === 0) {
    return { kind: 'empty' };
  }
  const entries = buffer.toString('utf8').split('\0');
  // One NUL ends the last variable.
  if (entries[entries.length - 1] === '') {
    entries.pop();
  }
  // A title written over the environment starts at its first byte: the first entry tells.
  if (!isVariable(entries[0])) {
    return {
      kind: 'overwritten',
      text: maskSecretShapes(entries.filter((text) => text !== '').join(' ')),
    };
  }
  const variables: EnvironmentVariable[] = [];
  for (const entry of entries) {
    if (!isVariable(entry)) {
      // One odd entry among variables: kept, and masked, since nothing tells what it holds.
      if (entry !== '') {
        variables.push({ name: '', value: entry, secret: true });
      }
      continue;
    }
    const equals = entry.indexOf('=');
    const name = entry.slice(0, equals);
    const value = entry.slice(equals + 1);
    variables.push({ name, value, secret: looksSecret(name, value) });
  }
  return { kind: 'variables', variables };
}

function isVariable(entry: string): boolean {
  const equals = entry.indexOf('=');
  return equals > 0 && VARIABLE_NAME.test(entry.slice(0, equals));
}
