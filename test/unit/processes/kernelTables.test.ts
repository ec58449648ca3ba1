import assert from 'node:assert/strict';
import { decodeCapabilities, hasCapability } from '../../../src/processes/capabilities';
import {
  escapeMarkdown,
  formatCpuPercent,
  formatCpuTime,
  formatElapsed,
  formatRss,
  markdownCode,
  processAgeSeconds,
} from '../../../src/processes/format';
import { parseKillResult, parseSignal, standardSignalName } from '../../../src/processes/signals';

// The kernel's tables spelled out here, not read back from the module: a typo in one is a wrong
// name on the user's screen.

/** linux/capability.h, bits 0 to 40. */
const CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
];

/** asm-generic/signal.h, 1 to 31 (x86 and arm). */
const SIGNALS = [
  'HUP',
  'INT',
  'QUIT',
  'ILL',
  'TRAP',
  'ABRT',
  'BUS',
  'FPE',
  'KILL',
  'USR1',
  'SEGV',
  'USR2',
  'PIPE',
  'ALRM',
  'TERM',
  'STKFLT',
  'CHLD',
  'CONT',
  'STOP',
  'TSTP',
  'TTIN',
  'TTOU',
  'URG',
  'XCPU',
  'XFSZ',
  'VTALRM',
  'PROF',
  'WINCH',
  'IO',
  'PWR',
  'SYS',
];

describe('processes: the kernel’s capability names', () => {
  it('names each bit as linux/capability.h does', () => {
    CAPABILITIES.forEach((name, bit) => {
      const hex = (1n << BigInt(bit)).toString(16);
      assert.deepEqual(decodeCapabilities(hex), { names: [name], all: false }, name);
    });
  });

  it('reads masks in capitals, with spaces around, and up to 32 digits', () => {
    assert.deepEqual(decodeCapabilities(' 00000000000000A0\n')?.names, ['KILL', 'SETUID']);
    assert.deepEqual(decodeCapabilities(`${'0'.repeat(31)}1`)?.names, ['CHOWN']);
    assert.equal(decodeCapabilities(`${'0'.repeat(32)}1`), undefined);
    assert.equal(decodeCapabilities('0x20'), undefined);
    assert.equal(decodeCapabilities('20 40'), undefined);
    assert.equal(hasCapability(' 00000000A80C25FB\n', 'SYS_PTRACE'), true);
    assert.equal(hasCapability(`${'0'.repeat(32)}1`, 'CHOWN'), false);
    assert.equal(hasCapability('', 'CHOWN'), false);
    assert.equal(hasCapability('0000000000000001', 'CHOWN'), true);
    assert.equal(hasCapability('0000010000000000', 'CHECKPOINT_RESTORE'), true);
  });

  it('calls a set all only when it holds every known capability', () => {
    assert.equal(decodeCapabilities('000000ffffffffff')?.all, false);
    assert.equal(decodeCapabilities('000003ffffffffff')?.all, true);
  });
});

describe('processes: the kernel’s signal names', () => {
  it('numbers every standard signal as x86 and arm do, and reads each name back', () => {
    SIGNALS.forEach((name, index) => {
      assert.equal(standardSignalName(index + 1), name);
      assert.deepEqual(parseSignal(`SIG${name}`), { name, number: index + 1 });
    });
    assert.equal(standardSignalName(0), undefined);
    assert.equal(standardSignalName(32), undefined);
    assert.deepEqual(parseSignal('1'), { name: undefined, number: 1 });
    assert.equal(parseSignal('--9'), undefined);
    assert.equal(parseSignal('xSIGHUP'), undefined);
    assert.equal(parseSignal('HUP1'), undefined);
  });

  it('reads kill’s errno names, its other wordings, and its first line of stderr', () => {
    assert.equal(parseKillResult(1, 'kill: ESRCH').kind, 'gone');
    assert.equal(parseKillResult(1, 'kill: EPERM').kind, 'notPermitted');
    assert.equal(parseKillResult(1, 'kill: xESRCHx').kind, 'failed');
    assert.equal(parseKillResult(1, 'kill: xEPERMx').kind, 'failed');
    assert.deepEqual(parseKillResult(1, '\n  kill: unknown signal FOO  \nusage\n'), {
      kind: 'badSignal',
      detail: 'kill: unknown signal FOO',
    });
    assert.equal(parseKillResult(1, 'kill: invalid signal 99').kind, 'badSignal');
    assert.equal(parseKillResult(1, 'kill: Bad Signal').kind, 'badSignal');
    const long = `kill: ${'x'.repeat(400)}`;
    assert.deepEqual(parseKillResult(137, `\n${long}\n`), {
      kind: 'failed',
      detail: long.slice(0, 300),
      exitCode: 137,
    });
  });
});

describe('processes: formatting at the edges', () => {
  it('formatRss rounds, switches unit at 1024, keeps a decimal below 100 and stops at TiB', () => {
    assert.equal(formatRss(1023), '1023 KiB');
    assert.equal(formatRss(1.6), '2 KiB');
    assert.equal(formatRss(-5), '0 KiB');
    assert.equal(formatRss(Number.POSITIVE_INFINITY), '0 KiB');
    assert.equal(formatRss(99.9 * 1024), '99.9 MiB');
    assert.equal(formatRss(100 * 1024), '100 MiB');
    assert.equal(formatRss(100.4 * 1024), '100 MiB');
    assert.equal(formatRss(1024 ** 3), '1.0 TiB');
    assert.equal(formatRss(2048 * 1024 ** 3), '2048 TiB');
  });

  it('formatCpuTime and formatCpuPercent show nothing odd for odd input', () => {
    assert.equal(formatCpuTime(-5, 100), '0:00.00');
    assert.equal(formatCpuTime(Number.NaN, 100), '0:00.00');
    assert.equal(formatCpuTime(100, 0), '0:00.00');
    assert.equal(formatCpuTime(1, 100), '0:00.01');
    assert.equal(formatCpuTime(5999, 100), '0:59.99');
    assert.equal(formatCpuPercent(0), '0.0%');
    assert.equal(formatCpuPercent(-0.1), '');
    assert.equal(formatCpuPercent(Number.NaN), '');
  });

  it('processAgeSeconds needs a clock rate and is never negative', () => {
    assert.equal(processAgeSeconds(100, 500, 0), undefined);
    assert.equal(processAgeSeconds(100, 500, Number.NaN), undefined);
    assert.equal(processAgeSeconds(4, 500, 100), 0);
  });

  it('formatElapsed switches to hours and days exactly at the hour and the day', () => {
    assert.equal(formatElapsed(59.9), '00:59');
    assert.equal(formatElapsed(3599), '59:59');
    assert.equal(formatElapsed(3600), '01:00:00');
    assert.equal(formatElapsed(86399), '23:59:59');
    assert.equal(formatElapsed(86400), '1-00:00:00');
    assert.equal(formatElapsed(93784), '1-02:03:04');
    assert.equal(formatElapsed(Number.NaN), '00:00');
  });

  it('escapeMarkdown escapes each character Markdown or HTML acts on, and joins lines', () => {
    const special = '\\`*_{}[]()#+-.!|<>&~"\'$:';
    assert.equal(escapeMarkdown(special), [...special].map((char) => `\\${char}`).join(''));
    assert.equal(
      escapeMarkdown('line1\r\n\nline2 plain, text; 100%'),
      'line1 line2 plain, text; 100%',
    );
    assert.equal(markdownCode('a\r\n\nb'), '` a b `');
  });
});
