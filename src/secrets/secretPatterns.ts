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

/** The placeholder for a masked secret: one length whatever the value, so it tells nothing. */
export const MASK = '••••••';

/**
 * Shapes of well-known credentials, whatever the variable is called. Each masks the part of the
 * text that is secret: the whole token, or only the value after a `password=` or a URL's `user:`.
 * A group named `keep` is kept before the mask.
 */
const SECRET_SHAPES: readonly RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
  /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g,
  /\bgh[pousr]_[A-Za-z0-9]{36,}\b/g,
  /\bgithub_pat_[A-Za-z0-9_]{40,}\b/g,
  /\bglpat-[A-Za-z0-9_-]{20,}(?![\w-])/g,
  /\bxox[a-z]-[A-Za-z0-9-]{10,}(?![\w-])/g,
  /\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}\b/g,
  /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}/g,
  /\bAIza[0-9A-Za-z_-]{35}(?![\w-])/g,
  /\bnpm_[A-Za-z0-9]{36}\b/g,
  /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
  // A password in a URL, with or without a user name (redis://:pw@host, with `$` or `/` in it).
  /(?<keep>\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:)[^\s@]+(?=@)/gi,
  // An HTTP Authorization header with its credentials (`curl -H "Authorization: Bearer …"`).
  /(?<keep>\b(?:Proxy-)?Authorization:\s*(?:Bearer|Basic|Token|Bot|Digest)\s+)[^\s$'"]{6,}/gi,
  // A bearer token quoted in an error or an option without its header (`Bearer eyJ…`).
  /(?<keep>\bBearer\s+)[A-Za-z0-9._~+/=-]{8,}/g,
  // Connection strings (JDBC, ADO.NET, Azure, JAAS) and JVM `-D…password=` options.
  /(?<keep>(?:^|[\s;?&,"'(])-?[\w.-]*(?:password|passwd|pwd|secret|token|apikey|api_key|accountkey|sharedaccesskey|sharedaccesssignature)\s*=\s*)(?:"[^"]*"|'[^']*'|[^\s;&,"')]+)/gi,
  // Signed URLs (Azure SAS, S3 and GCS presigned).
  /(?<keep>[?&](?:sig|signature|x-amz-signature|x-amz-security-token|x-goog-signature|x-goog-credential|access_token)=)[^&\s]+/gi,
  // Webhooks carry their secret in the path.
  /(?<keep>\bhttps:\/\/hooks\.slack\.com\/(?:services|workflows)\/)[\w/]+/gi,
  /(?<keep>\bhttps:\/\/(?:canary\.|ptb\.)?discord(?:app)?\.com\/api\/webhooks\/\d+\/)[\w-]+/gi,
];

/** `$(VAR)` (expanded by Kubernetes) and `${VAR}`/`$VAR` (by a shell): the secret lives elsewhere. */
const REFERENCE = /\$\([\w.-]+\)|\$\{[\w.-]+\}|\$[A-Za-z_]\w*/g;

/** Whether a manifest's value holds a secret literally (references do not count). */
export function hasSecretShape(value: string): boolean {
  const literal = value.replace(REFERENCE, '');
  return SECRET_SHAPES.some((shape) => {
    shape.lastIndex = 0;
    return shape.test(literal);
  });
}

/** The text with every secret-shaped part replaced by MASK (see SECRET_SHAPES). */
export function maskSecretShapes(text: string): string {
  let masked = text;
  for (const shape of SECRET_SHAPES) {
    masked = masked.replace(shape, (...args: unknown[]) => {
      const groups = args.at(-1) as { keep?: string } | undefined;
      return `${groups?.keep ?? ''}${MASK}`;
    });
  }
  return masked;
}

/**
 * A URL for messages and labels: without its user information (a kubeconfig's server may carry
 * `user:password@`, or a token as the user name) and with secret-shaped query values masked.
 */
export function urlForDisplay(url: string): string {
  const withoutUserinfo = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1');
  return maskSecretShapes(withoutUserinfo);
}

/**
 * Words that mark a secret in a live process beyond those the manifest checks use. A masked value
 * costs a click; a shown one may leak into a screen share, so this errs on masking (SORT_KEY is
 * masked too). Each is rewritten to SECRET so the exceptions still apply: TLS_CERT_FILE and
 * SIGNING_KEY_PATH name files, not secrets.
 */
const LIVE_SECRET_WORDS = /(^|[_.-])(KEYS?|CERTS?|CERTIFICATE|PRIVATE|COOKIE|SALT)(?=$|[_.-])/gi;

/** A secret's name in a live environment or argv, where masking errs on the safe side. */
export function isLiveSecretName(name: string): boolean {
  return isSecretName(name.replace(LIVE_SECRET_WORDS, '$1SECRET'));
}

/** An empty value or a switch (`none`, `true`): nothing to mask. */
function isSwitchValue(value: string): boolean {
  return value.trim() === '' || NOT_SECRET_VALUES.test(value.trim());
}

/** `NAME=value` in an argv item or a word: a flag, an assignment or a JVM `-D` option. */
const ASSIGNMENT = /^(--?[\w.-]+|[A-Za-z_][\w.]*)=(.*)$/s;
/** A flag with no value of its own (`--password`), whose value is the next item. */
const FLAG = /^--?[\w.-]+$/;

/**
 * A process's argv with its secrets masked, item by item: values of secret-named flags and
 * assignments (`--password x`, `--token=x`, `DB_PASSWORD=x`, `-Dssl.keyStorePassword=x`), the
 * same inside an item of several words (`sh -c "exec app --password x"`, `JAVA_OPTS`-style
 * strings), and secret-shaped parts anywhere. When in doubt, masked: a masked value costs a click
 * to reveal, a shown one may leak into a screen share or a log.
 */
export function maskArgv(argv: readonly string[]): string[] {
  return argv.map((item, index) => {
    const word = maskedWord(item, index > 0 ? argv[index - 1] : '');
    if (word !== undefined) {
      return word;
    }
    return maskSecretShapes(/\s/.test(item) ? maskWords(item) : item);
  });
}

/** The word masked when it is a secret assignment or follows a secret flag; else undefined. */
function maskedWord(word: string, previous: string): string | undefined {
  const assignment = ASSIGNMENT.exec(word);
  if (assignment && isLiveSecretName(assignment[1]) && !isSwitchValue(assignment[2])) {
    return `${assignment[1]}=${MASK}`;
  }
  if (FLAG.test(previous) && isLiveSecretName(previous) && !word.startsWith('-')) {
    return isSwitchValue(word) ? undefined : MASK;
  }
  return undefined;
}

/** A word of a script between its quotes and a trailing `;`: `"--password"`, `x';`. */
const QUOTED_WORD = /^(["']*)(.*?)(["';]*)$/s;

/**
 * Each word of a many-word item (a script, a string of options) masked as maskArgv masks items,
 * its quotes kept. A `$VAR` after a secret flag is a reference, not the secret: it stays.
 */
function maskWords(item: string): string {
  const parts = item.split(/(\s+)/);
  let previous = '';
  for (let index = 0; index < parts.length; index += 2) {
    const [, open, word, close] = QUOTED_WORD.exec(parts[index]) ?? ['', '', '', ''];
    if (word === '') {
      continue;
    }
    const masked = word.startsWith('$') ? undefined : maskedWord(word, previous);
    if (masked !== undefined) {
      parts[index] = `${open}${masked}${close}`;
    }
    previous = word;
  }
  return parts.join('');
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
