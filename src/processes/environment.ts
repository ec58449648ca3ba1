// A process's environment from the bytes of /proc/PID/environ, with the values that look like
// secrets marked so the details document can mask them.
import { hasSecretShape, isSecretName } from '../manifest/server/secretPatterns';

/** Shown instead of a secret: always the same length, so it tells nothing about the value. */
export const MASK = '••••••';

export interface EnvironmentVariable {
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

/**
 * Words that mark a secret in a live environment beyond those the manifest checks use. A masked
 * value costs a click; a shown one may leak into a screen share, so this errs on masking (SORT_KEY
 * is masked too). Each is rewritten to SECRET so the manifest rules' exceptions still apply:
 * TLS_CERT_FILE and SIGNING_KEY_PATH name files, not secrets.
 */
const EXTRA_SECRET_WORDS = /(^|[_.-])(KEYS?|CERTS?|CERTIFICATE|PRIVATE|COOKIE|SALT)(?=$|[_.-])/gi;

export function looksSecret(name: string, value: string): boolean {
  return isSecretName(name.replace(EXTRA_SECRET_WORDS, '$1SECRET')) || hasSecretShape(value);
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
  const variables: EnvironmentVariable[] = [];
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    const name = entry.slice(0, Math.max(equals, 0));
    // A gap (two NULs in a row), text without `=` or a name with spaces: not an environment.
    if (equals <= 0 || !VARIABLE_NAME.test(name)) {
      return { kind: 'overwritten', text: entries.filter((text) => text !== '').join(' ') };
    }
    const value = entry.slice(equals + 1);
    variables.push({ name, value, secret: looksSecret(name, value) });
  }
  return { kind: 'variables', variables };
}
