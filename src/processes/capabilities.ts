// Linux capability sets as /proc/PID/status shows them (CapEff: 00000000a80425fb), decoded to the
// names Kubernetes' securityContext.capabilities uses (no CAP_ prefix).

/** Bit order from linux/capability.h; CHECKPOINT_RESTORE (40) is the last one as of Linux 6.x. */
export const CAPABILITY_NAMES = [
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
] as const;

export type CapabilityName = (typeof CAPABILITY_NAMES)[number];

export interface CapabilitySet {
  /** Known capabilities in bit order, then `cap_<n>` for bits newer than this list. */
  readonly names: readonly string[];
  /** Every capability this list knows is in the set (a privileged container, a host's bounding set). */
  readonly all: boolean;
}

/** Decodes a hex mask; undefined when the text is not one. */
export function decodeCapabilities(hex: string): CapabilitySet | undefined {
  const text = hex.trim();
  if (!/^[0-9a-fA-F]{1,32}$/.test(text)) {
    return undefined;
  }
  const mask = BigInt(`0x${text}`);
  const names: string[] = [];
  for (let bit = 0n; mask >> bit !== 0n; bit += 1n) {
    if ((mask >> bit) & 1n) {
      names.push(CAPABILITY_NAMES[Number(bit)] ?? `cap_${bit}`);
    }
  }
  const known = (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;
  return { names, all: (mask & known) === known };
}

export function hasCapability(hex: string | undefined, name: CapabilityName): boolean {
  if (hex === undefined || !/^[0-9a-fA-F]{1,32}$/.test(hex.trim())) {
    return false;
  }
  const bit = BigInt(CAPABILITY_NAMES.indexOf(name));
  return ((BigInt(`0x${hex.trim()}`) >> bit) & 1n) === 1n;
}
