import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { SignalOutcome } from '../../src/processActions/sendSignal';
import type { PodTreeNode, ProcessTreeNode } from '../../src/tree/treeNodes';
import { NAMED_VALUES, SECRET_ARGVS, SHAPED_VALUES } from '../fixtures/secrets/secretShapes';
import { kubectl, SANDBOX_ONLY } from './sandboxControl';
import {
  children,
  nginxMaster,
  podNamed,
  podTree,
  processesIn,
  whenDocument,
  whenProcess,
  whenTree,
} from './treeTestSupport';

const DEADLINE_MS = 30_000;
const POD = 'leaky';
/** nginx keeps its `-g` directives in the title it writes over its argv. */
const NGINX_SECRET = 'ngx-pw-11';

/** What each command line of the pod's `app` container is, before masking. */
const childScript = SECRET_ARGVS.map(
  ({ argv }) => `sh -c 'sleep 3600; :' ${argv.map((item) => `'${item}'`).join(' ')} &`,
).join('\n');

/**
 * A pod with every secret shape of the fixtures: in `app`'s environment (under names that say
 * nothing, and under names that say "secret") and on its processes' command lines (the script
 * itself and the argv of its children), and in nginx's rewritten title. `debug`, the container the
 * extension lists from, is UID 1000 without CAP_KILL, like `app`: it reads `app`'s environment,
 * and a signal to the root nginx is refused (the "not permitted" message and its log line).
 */
function leakyPod(): unknown {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: POD },
    spec: {
      shareProcessNamespace: true,
      containers: [
        {
          name: 'app',
          image: 'busybox',
          command: ['sh', '-c', `${childScript}\nwait`],
          env: [
            ...SHAPED_VALUES.map(({ text }, index) => ({ name: `SETTING_${index}`, value: text })),
            ...NAMED_VALUES.map(({ name, text }) => ({ name, value: text })),
          ],
          securityContext: { runAsUser: 1000 },
        },
        {
          name: 'web',
          image: 'nginx',
          command: ['nginx', '-g', `daemon off; env DB_PASSWORD=${NGINX_SECRET};`],
        },
        {
          name: 'debug',
          image: 'busybox',
          stdin: true,
          tty: true,
          securityContext: { runAsUser: 1000, capabilities: { drop: ['KILL'] } },
        },
      ],
    },
  };
}

interface KubeconfigYaml {
  users?: { user?: Record<string, string> }[];
}

/**
 * The suite's kubeconfig with a client certificate and key added to its user (the sandbox does
 * not ask for one, so the token still signs in), and what of its credentials must never show.
 */
function kubeconfigWithClientKey(scratch: string): { path: string; secrets: string[] } {
  const config = parseYaml(readFileSync(process.env.KUBECONFIG ?? '', 'utf8')) as KubeconfigYaml &
    Record<string, unknown>;
  const user = config.users?.[0]?.user;
  assert.ok(user?.token, 'the sandbox kubeconfig signs in with a bearer token');
  const key = join(scratch, 'client.key');
  const cert = join(scratch, 'client.crt');
  execFileSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    key,
    '-out',
    cert,
    '-days',
    '1',
    '-subj',
    '/CN=leak-test',
  ]);
  const keyPem = readFileSync(key, 'utf8');
  user['client-certificate-data'] = Buffer.from(readFileSync(cert)).toString('base64');
  user['client-key-data'] = Buffer.from(keyPem).toString('base64');
  const path = join(scratch, 'kubeconfig');
  writeFileSync(path, stringifyYaml(config), { mode: 0o600 });
  const keyLines = keyPem.split('\n').filter((line) => line.length >= 16 && !line.startsWith('-'));
  return { path, secrets: [user.token, user['client-key-data'].slice(0, 40), ...keyLines] };
}

/** The parts of a secret to look for: each line of a multi-line one, its markers left out. */
function fragments(secret: string): string[] {
  return secret.split('\n').filter((line) => line.length >= 6 && !/^-----(BEGIN|END) /.test(line));
}

type MessageKind = 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage';

/** Every notification the extension shows while installed (notifications cannot be read back). */
function captureNotifications(): { texts: string[]; restore: () => void } {
  const window = vscode.window as unknown as Record<MessageKind, unknown>;
  const kinds: MessageKind[] = ['showInformationMessage', 'showWarningMessage', 'showErrorMessage'];
  const originals = kinds.map((kind) => window[kind]);
  const texts: string[] = [];
  for (const kind of kinds) {
    window[kind] = (message: string, ...items: unknown[]) => {
      texts.push([message, ...items.map((item) => JSON.stringify(item))].join(' '));
      return Promise.resolve(undefined);
    };
  }
  return {
    texts,
    restore: () => kinds.forEach((kind, index) => (window[kind] = originals[index])),
  };
}

/** The extension's log as a document, once VS Code opens it (showLog shows the channel). */
function whenLogDocument(): Promise<vscode.TextDocument> {
  const isLog = (document: vscode.TextDocument) =>
    document.uri.scheme === 'output' &&
    decodeURIComponent(document.uri.path).includes('Pod Process Explorer');
  return new Promise((resolve, reject) => {
    const open = vscode.workspace.textDocuments.find(isLog);
    if (open) {
      resolve(open);
      return;
    }
    const listener = vscode.workspace.onDidOpenTextDocument((document) => {
      if (isLog(document)) {
        clearTimeout(deadline);
        listener.dispose();
        resolve(document);
      }
    });
    const deadline = setTimeout(() => {
      listener.dispose();
      reject(new Error(`the log did not open within ${DEADLINE_MS} ms`));
    }, DEADLINE_MS);
  });
}

function itemText(node: PodTreeNode, tree: vscode.TreeDataProvider<PodTreeNode>): string {
  const item = tree.getTreeItem(node) as vscode.TreeItem;
  const text = (value: string | vscode.MarkdownString | vscode.TreeItemLabel | undefined) =>
    typeof value === 'string' ? value : value && 'value' in value ? value.value : value?.label;
  return [text(item.label), item.description, text(item.tooltip)].join('\n');
}

describe(`secrets never leave the masking ${SANDBOX_ONLY}`, function () {
  this.timeout(DEADLINE_MS * 8);
  let scratch: string;
  let credentials: string[];
  let notifications: ReturnType<typeof captureNotifications>;

  before(async () => {
    await podTree();
    scratch = mkdtempSync(join(tmpdir(), 'ppe-leak-test-'));
    const kubeconfig = kubeconfigWithClientKey(scratch);
    credentials = kubeconfig.secrets;
    notifications = captureNotifications();
    await vscode.workspace
      .getConfiguration('podProcessExplorer')
      .update('kubeconfig', kubeconfig.path, vscode.ConfigurationTarget.Global);
    writeFileSync(join(scratch, 'pod.json'), JSON.stringify(leakyPod()));
    await kubectl('apply', '-f', join(scratch, 'pod.json'));
  });

  after(async () => {
    notifications.restore();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace
      .getConfiguration('podProcessExplorer')
      .update('kubeconfig', undefined, vscode.ConfigurationTarget.Global);
    await kubectl('delete', 'pod', POD, '--wait=false');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('shows the tree, details, signal outcomes and log with none of 40 secrets or the credentials', async () => {
    const tree = await podTree();
    // Every child of the script listed, and nginx's master with its title.
    await whenProcess(POD, 'app', 'the script’s children', (processes) =>
      processes.filter((node) => node.process.argv[2] === 'sleep 3600; :').length ===
      SECRET_ARGVS.length
        ? processes[0]
        : undefined,
    );
    const master = await whenProcess(POD, 'web', 'nginx', nginxMaster);
    assert.match(master.process.commandLine, /env DB_PASSWORD=••••••;/);

    // The tree as the view shows it: every item of the pod, nested processes included.
    const pod = await whenTree('the pod', () => podNamed(POD));
    const shown: string[] = [];
    const stack: PodTreeNode[] = [pod];
    const processes: ProcessTreeNode[] = [];
    while (stack.length > 0) {
      const node = stack.pop() as PodTreeNode;
      shown.push(itemText(node, tree));
      if (node.kind === 'process') {
        processes.push(node);
      }
      if (node.kind === 'pod' || node.kind === 'container' || node.kind === 'process') {
        stack.push(...(await children(node)));
      }
    }
    assert.ok(processes.length >= SECRET_ARGVS.length + 3, `${processes.length} processes listed`);

    // The details of every process, as they open (masked).
    for (const node of processes) {
      const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
        'podProcessExplorer.showProcessDetails',
        node,
      );
      assert.ok(uri, `the details of PID ${node.process.pid} opened`);
      await whenDocument(uri, 'the details', (text) => text.includes('## '));
    }
    const script = (await processesIn(pod, 'app')).find(
      ({ process }) => process.argv[1] === '-c' && process.argv[2]?.endsWith('\nwait'),
    );
    assert.ok(script, 'the script’s shell is listed');
    const details = await vscode.commands.executeCommand<vscode.Uri>(
      'podProcessExplorer.showProcessDetails',
      script,
    );
    const text = await whenDocument(details, 'the environment', (content) =>
      content.includes('SETTING_0='),
    );
    assert.match(text, /^ {2}DB_PASSWORD=••••••$/m);

    // A signal sent (its outcome names the process) and one refused (logged as a warning too).
    const sent = await vscode.commands.executeCommand<SignalOutcome>(
      'podProcessExplorer.sendSignal',
      script,
      'CONT',
    );
    assert.equal(sent.status, 'sent', sent.message);
    const refused = await vscode.commands.executeCommand<SignalOutcome>(
      'podProcessExplorer.sendSignal',
      master,
      'HUP',
    );
    assert.equal(refused.status, 'notPermitted', refused.message);
    const refusal = (refused.message ?? '').split('\n')[0];

    // The log, once it holds the refusal (the last thing the extension wrote there).
    const log = whenLogDocument();
    await vscode.commands.executeCommand('podProcessExplorer.showLog');
    await whenDocument((await log).uri, 'the refusal', (content) => content.includes(refusal));

    const written = [
      ...shown,
      ...notifications.texts,
      ...vscode.workspace.textDocuments.map((document) => document.getText()),
      sent.message ?? '',
      refused.message ?? '',
    ].join('\n');
    assert.ok(notifications.texts.length >= 2, 'the signals’ notifications were captured');
    const secrets = [
      ...SHAPED_VALUES.map(({ secret }) => secret),
      ...NAMED_VALUES.map(({ secret }) => secret),
      ...SECRET_ARGVS.map(({ secret }) => secret),
      NGINX_SECRET,
    ];
    assert.equal(secrets.length, 41);
    const found = [...secrets, ...credentials]
      .flatMap(fragments)
      .filter((fragment) => written.includes(fragment));
    assert.deepEqual(found, [], 'secrets found in what the extension wrote');
  });
});
