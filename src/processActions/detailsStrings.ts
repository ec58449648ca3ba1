import * as vscode from 'vscode';
import type { DetailsStrings } from '../processes/processDetails';

/**
 * The details document's words in the user's language. Labels that name a PID keep the word "PID"
 * in every language: the grammar in syntaxes/ finds PID rows by it. Straight quotes only: the
 * editor flags curly apostrophes in a document as confusable characters.
 */
export function detailsStrings(): DetailsStrings {
  return {
    title: (pid, commandLine) => vscode.l10n.t('PID {0} · {1}', pid, commandLine),
    headings: {
      commandLine: vscode.l10n.t('Command line'),
      process: vscode.l10n.t('Process'),
      namespaces: vscode.l10n.t({
        message: 'Namespaces',
        comment: [
          'Heading of the Linux namespaces of a process (pid, mnt, net, ...), not Kubernetes namespaces.',
        ],
      }),
      cgroup: vscode.l10n.t('Control group'),
      capabilities: vscode.l10n.t('Capabilities'),
      environment: (count) =>
        count === undefined
          ? vscode.l10n.t('Environment')
          : count === 1
            ? vscode.l10n.t('Environment · 1 variable')
            : vscode.l10n.t('Environment · {0} variables', count),
    },
    labels: {
      pod: vscode.l10n.t('Pod'),
      container: vscode.l10n.t('Container'),
      readFrom: vscode.l10n.t('Read from container'),
      pid: vscode.l10n.t('PID'),
      parentPid: vscode.l10n.t('Parent PID'),
      state: vscode.l10n.t({
        message: 'State',
        comment: ['The state of a Linux process (R running, S sleeping, Z zombie, ...).'],
      }),
      user: vscode.l10n.t('User'),
      effectiveUser: vscode.l10n.t('Effective user'),
      savedUser: vscode.l10n.t('Saved user'),
      filesystemUser: vscode.l10n.t('Filesystem user'),
      group: vscode.l10n.t('Group'),
      groups: vscode.l10n.t('Supplementary groups'),
      started: vscode.l10n.t({
        message: 'Started',
        comment: ['When the process started.'],
      }),
      threads: vscode.l10n.t('Threads'),
      memory: vscode.l10n.t('Memory (RSS)'),
      openFiles: vscode.l10n.t('Open files'),
      effective: vscode.l10n.t({
        message: 'Effective',
        comment: ['A Linux capability set of the process (man 7 capabilities).'],
      }),
      permitted: vscode.l10n.t({
        message: 'Permitted',
        comment: ['A Linux capability set of the process (man 7 capabilities).'],
      }),
      inheritable: vscode.l10n.t({
        message: 'Inheritable',
        comment: ['A Linux capability set of the process (man 7 capabilities).'],
      }),
      bounding: vscode.l10n.t({
        message: 'Bounding set',
        comment: ['A Linux capability set of the process (man 7 capabilities).'],
      }),
      ambient: vscode.l10n.t({
        message: 'Ambient',
        comment: ['A Linux capability set of the process (man 7 capabilities).'],
      }),
    },
    sandbox: vscode.l10n.t('pod sandbox (pause)'),
    mainProcess: vscode.l10n.t('main process'),
    unknownContainer: vscode.l10n.t('unknown container'),
    outsideNamespace: vscode.l10n.t('its parent is outside the PID namespace of the pod'),
    none: vscode.l10n.t({
      message: 'none',
      comment: [
        'Shown where a process has no supplementary groups, no capabilities or no open files.',
      ],
    }),
    noArguments: vscode.l10n.t('(no arguments: a kernel thread or a zombie)'),
    allCapabilities: (count) => vscode.l10n.t('all {0} capabilities', count),
    started: (utc, elapsed) => vscode.l10n.t('{0} · running for {1}', utc, elapsed),
    differsFromPid1: (inode) => vscode.l10n.t('differs from PID 1 ({0})', inode),
    namespacesUnreadable: (readFrom) =>
      vscode.l10n.t(
        'Not readable from container "{0}": /proc/<pid>/ns needs the user of the process or SYS_PTRACE.',
        readFrom,
      ),
    openFilesUnreadable: (readFrom) =>
      vscode.l10n.t(
        'not readable from container "{0}" (needs the user of the process or SYS_PTRACE)',
        readFrom,
      ),
    sharedEnvironment: (pid) =>
      vscode.l10n.t(
        'Every container of this pod can read this environment through /proc/{0}/environ.',
        pid,
      ),
    sharedEnvironmentHint: vscode.l10n.t(
      'Reading it takes the same user or SYS_PTRACE. Keep secrets in mounted files instead.',
    ),
    masked: (count) =>
      count === 1
        ? vscode.l10n.t(
            '1 value that looks like a secret is masked: the eye in the editor title reveals it.',
          )
        : vscode.l10n.t(
            '{0} values that look like secrets are masked: the eye in the editor title reveals them.',
            count,
          ),
    revealed: (count) =>
      count === 1
        ? vscode.l10n.t('1 secret is shown. "Mask Secrets" hides it again.')
        : vscode.l10n.t('{0} secrets are shown. "Mask Secrets" hides them again.', count),
    environmentEmpty: vscode.l10n.t('The process has no environment variables.'),
    overwritten: (pid, text) =>
      vscode.l10n.t(
        'The process rewrote its title over its environment (nginx and postgres do): /proc/{0}/environ now holds "{1}" and NUL bytes, not variables. Its variables are in the pod spec, or in the environment of its child processes.',
        pid,
        text.length > 80 ? `${text.slice(0, 80)}…` : text,
      ),
    environmentDenied: ({ pid, uid, readFrom, readerUid, readerCanTrace }) =>
      readerCanTrace
        ? vscode.l10n.t(
            'The environment is not readable from container "{0}" even with SYS_PTRACE: the kernel refused /proc/{1}/environ (the process is not dumpable, or holds capabilities the reader lacks).',
            readFrom,
            pid,
          )
        : vscode.l10n.t(
            'The environment is not readable from container "{0}", which runs as UID {1} without SYS_PTRACE: /proc/{2}/environ needs the user of the process (UID {3}) or SYS_PTRACE.',
            readFrom,
            readerUid ?? '?',
            pid,
            uid ?? '?',
          ),
    environmentGone: vscode.l10n.t('The process exited while its environment was read.'),
    environmentError: (detail) => vscode.l10n.t('The environment could not be read: {0}', detail),
  };
}
