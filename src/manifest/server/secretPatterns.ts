/**
 * Heuristics for values that look like secrets. Findings name the variable or flag, never the
 * value: diagnostics and logs must not repeat a secret.
 */

/** Words that mark a secret even inside a longer word (PGPASSWORD, GITHUBTOKEN). */
const SECRET_STEMS = [
  'PASSWORD',
  'PASSWD',
  'PASSPHRASE',
  'SECRET',
  'TOKEN',
  'APIKEY',
  'CREDENTIAL',
  // redis-server --requirepass, --masterauth
  'REQUIREPASS',
  'MASTERAUTH',
];

/** Short words that mark a secret only on their own (DB_PASS, REDIS_AUTH, not PASSENGER or AUTHOR). */
const SECRET_WORDS = new Set(['PASS', 'AUTH', 'DSN']);

/** `KEY` is a secret only in these company: API_KEY, PRIVATE_KEY, not SORT_KEY. */
const KEY_QUALIFIERS = new Set([
  'API',
  'ACCESS',
  'PRIVATE',
  'SECRET',
  'ENCRYPTION',
  'SIGNING',
  'MASTER',
]);

/** Names ending like these hold something about a secret (its file, name, lifetime), not the secret. */
const NOT_SECRET_SUFFIXES = new Set([
  'FILE',
  'PATH',
  'DIR',
  'NAME',
  'ID',
  'ENABLED',
  'TTL',
  'EXPIRY',
  'EXPIRATION',
  'TIMEOUT',
  'LENGTH',
  'URL',
  'HEADER',
  'TYPE',
  'MODE',
  'ENDPOINT',
  'ISSUER',
  'AUDIENCE',
  'REF',
  'VERSION',
  'PREFIX',
  'FIELD',
  'LOCATION',
  'USER',
  'USERNAME',
  'METHOD',
  'PORT',
  'HOST',
  'SIZE',
]);

function nameWords(name: string): string[] {
  return name
    .replace(/^-+/, '')
    .split(/[_\-.]+|(?<=[a-z0-9])(?=[A-Z])/)
    .filter((word) => word !== '')
    .map((word) => word.toUpperCase());
}

export function isSecretName(name: string): boolean {
  const words = nameWords(name);
  if (words.length === 0 || NOT_SECRET_SUFFIXES.has(words[words.length - 1])) {
    return false;
  }
  if (words.length === 1 && words[0] === 'PWD') {
    return false;
  }
  return words.some(
    (word, index) =>
      SECRET_STEMS.some((stem) => word.includes(stem)) ||
      SECRET_WORDS.has(word) ||
      (word === 'PWD' && words.length > 1) ||
      (word === 'KEY' && index > 0 && KEY_QUALIFIERS.has(words[index - 1])),
  );
}

/** A name ending in KEY (`COOKIE_KEY`, `--session-key`, `hmacKey`): a key if its value is key material. */
function isKeyName(name: string): boolean {
  const words = nameWords(name);
  return words.length > 1 && words[words.length - 1] === 'KEY';
}

/** Hex of 64 bits or more (`0x…` too), or Laravel's `base64:…` keys. */
const KEY_MATERIAL = /^(?:(?:0x)?[0-9a-fA-F]{16,}|base64:[A-Za-z0-9+/]{16,}={0,2})$/;

/** Whether `name=value` (an env entry, a flag and its value, an assignment) holds a literal secret. */
export function isSecretAssignment(name: string, value: string): boolean {
  return (
    (isSecretName(name) && isLiteralSecretValue(value)) ||
    (isKeyName(name) && KEY_MATERIAL.test(value.trim()))
  );
}

/** Shapes of well-known credentials, whatever the variable is called. */
const SECRET_SHAPES = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/,
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/,
  /\bglpat-[A-Za-z0-9_-]{20,}\b/,
  /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/,
  /\b[sr]k_live_[A-Za-z0-9]{16,}\b/,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
  // A password in a URL, with or without a user name (redis://:pw@host).
  /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@$]+@/i,
  // An HTTP Authorization header with its credentials (`curl -H "Authorization: Bearer …"`).
  /\b(?:Proxy-)?Authorization:\s*(?:Bearer|Basic|Token|Bot|Digest)\s+[^\s$'"]{6,}/i,
];

export function hasSecretShape(value: string): boolean {
  return SECRET_SHAPES.some((shape) => shape.test(value));
}

/** Values that name a mechanism or a switch (`--auth none`, `AUTH_MODE=token`), not a secret. */
const NOT_SECRET_VALUES =
  /^(?:true|false|yes|no|on|off|null|none|disabled?|enabled?|required|optional|basic|bearer|token|oauth2?|jwt|x509|tls|anonymous)$/i;

/** A value worth flagging under a secret-like name: not empty, a reference, a path or a flag. */
export function isLiteralSecretValue(value: string): boolean {
  const trimmed = value.trim();
  if (trimmed.length < 3 || NOT_SECRET_VALUES.test(trimmed)) {
    return false;
  }
  // $(VAR) is expanded by Kubernetes and ${VAR}/$VAR by a shell: the secret lives elsewhere.
  return !/^(?:\$|\/|\.\/|~\/|file:|-)/.test(trimmed) && !/^\d{1,5}$/.test(trimmed);
}
