// A hostile target swaps a directory of its root for a link to the inspecting side, as fast as
// renameat2(RENAME_EXCHANGE) allows, while every filesystem operation runs against it again and
// again, under dash with GNU tools and under busybox: nothing may read, write, rename, copy,
// list or delete anything outside the root. PPE_RACE_ROUNDS sets the rounds per operation.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { ContainerFs } from '../../../src/procfs/containerFs';
import { RemoteFsError } from '../../../src/procfs/remoteOutput';
import { fakeRoot, localExec, type LocalShell } from './localExec';

const ROUNDS = Number(process.env.PPE_RACE_ROUNDS ?? 250);
const OUTSIDE_TEXT = 'the inspecting container’s own file\n';
const INSIDE_TEXT = 'the target’s file\n';

/** The swap loop, paused and resumed by a line on its stdin. */
class SwapLoop {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string, undefined>;

  constructor(first: string, second: string) {
    this.child = spawn('python3', [join(__dirname, 'swapLoop.py'), first, second]);
    this.lines = createInterface({ input: this.child.stdout })[
      Symbol.asyncIterator
    ]() as AsyncIterator<string, undefined>;
  }

  /** Runs `change` while no exchange is under way. */
  async paused(change: () => void): Promise<void> {
    this.child.stdin.write('p\n');
    const { value } = await this.lines.next();
    assert.equal(value, 'paused', 'the swap loop answers');
    try {
      change();
    } finally {
      this.child.stdin.write('c\n');
    }
  }

  async stop(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.stdin.end();
    this.child.kill();
    await exited;
  }
}

for (const shell of ['gnu', 'busybox'] as LocalShell[]) {
  describe(`The root under a swap race, ${shell === 'gnu' ? 'dash with GNU tools' : 'busybox'}`, function () {
    this.timeout(10 * 60_000);
    let root: string;
    let outside: string;
    let swap: SwapLoop;
    let fs: ContainerFs;
    const outcomes = { done: 0, refused: 0 };

    /** The directory that is, at this moment, the real one of the pair (`a` or `b`). */
    const realDir = () =>
      ['a', 'b']
        .map((name) => join(root, name))
        .find((path) => !lstatSync(path).isSymbolicLink()) ??
      assert.fail('neither name is the directory');

    /** The target's side as each round expects it: a/f, a/sub/{x,y}. */
    const refill = () => {
      const dir = realDir();
      for (const name of readdirSync(dir)) {
        rmSync(join(dir, name), { recursive: true, force: true });
      }
      writeFileSync(join(dir, 'f'), INSIDE_TEXT);
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', 'x'), 'x');
      writeFileSync(join(dir, 'sub', 'y'), 'y');
      rmSync(join(root, 'c'), { recursive: true, force: true });
      rmSync(join(dir, 'sub2'), { recursive: true, force: true });
      rmSync(join(root, 'g'), { force: true });
    };

    /** The inspecting side: the same names, so an escaped operation finds what it looks for. */
    const outsideIsIntact = () => {
      assert.deepEqual(readdirSync(outside).sort(), ['f', 'only-outside', 'sub']);
      assert.equal(readFileSync(join(outside, 'f'), 'utf8'), OUTSIDE_TEXT);
      assert.deepEqual(readdirSync(join(outside, 'sub')).sort(), ['x', 'y']);
    };

    /** Runs `operation` ROUNDS times under the race; a refusal is fine, an escape is not. */
    async function race(
      operation: () => Promise<void>,
      options: { readonly refillEachRound?: boolean } = {},
    ): Promise<void> {
      for (let round = 0; round < ROUNDS; round++) {
        try {
          await operation();
          outcomes.done++;
        } catch (error) {
          if (!(error instanceof RemoteFsError)) {
            throw error;
          }
          outcomes.refused++;
        }
        outsideIsIntact();
        if (options.refillEachRound) {
          await swap.paused(refill);
        }
      }
    }

    before(() => {
      root = fakeRoot();
      outside = join(dirname(root), 'outside');
      mkdirSync(join(outside, 'sub'), { recursive: true });
      writeFileSync(join(outside, 'f'), OUTSIDE_TEXT);
      writeFileSync(join(outside, 'only-outside'), OUTSIDE_TEXT);
      writeFileSync(join(outside, 'sub', 'x'), OUTSIDE_TEXT);
      writeFileSync(join(outside, 'sub', 'y'), OUTSIDE_TEXT);
      mkdirSync(join(root, 'a'));
      symlinkSync(outside, join(root, 'b'));
      refill();
      fs = new ContainerFs(localExec(shell), root, 10_000);
      swap = new SwapLoop(join(root, 'a'), join(root, 'b'));
    });

    after(async () => {
      await swap.stop();
      process.stdout.write(
        `      ${shell}: ${outcomes.done} operations done and ${outcomes.refused} refused under the race\n`,
      );
    });

    afterEach(() => {
      assert.ok(!existsSync(join(outside, 'CANARY')));
      for (const name of readdirSync(outside)) {
        assert.ok(!name.startsWith('.ppe'), `a temporary file landed outside: ${name}`);
      }
    });

    it('reads only the target’s file', async () => {
      await race(async () => {
        const content = Buffer.from(await fs.read('/a/f')).toString('utf8');
        assert.equal(content, INSIDE_TEXT);
      });
    });

    it('stats and lists only the target’s entries', async () => {
      await race(async () => {
        assert.equal((await fs.stat('/a/f')).size, Buffer.byteLength(INSIDE_TEXT));
        const names = (await fs.list('/a')).map((entry) => entry.name).sort();
        assert.deepEqual(names, ['f', 'sub']);
        const inner = (await fs.list('/a/sub')).map((entry) => entry.name).sort();
        assert.deepEqual(inner, ['x', 'y']);
      });
    });

    it('saves only into the target', async () => {
      await race(async () => {
        await fs.write('/a/f', Buffer.from(INSIDE_TEXT), { create: true, overwrite: true });
      });
    });

    it('creates directories only in the target', async () => {
      await race(
        async () => {
          await fs.createDirectory('/a/sub/new');
        },
        { refillEachRound: true },
      );
    });

    it('renames only within the target', async () => {
      await race(
        async () => {
          await fs.rename('/a/f', '/a/sub/y', true);
        },
        { refillEachRound: true },
      );
    });

    it('copies only the target’s files, only into the target', async () => {
      await race(
        async () => {
          await fs.copy('/a', '/c', true);
          // `a` may have been the link at that moment: then its copy is that link, not its files.
          if (lstatSync(join(root, 'c')).isSymbolicLink()) {
            assert.equal(readlinkSync(join(root, 'c')), outside);
          } else {
            assert.equal(readFileSync(join(root, 'c', 'f'), 'utf8'), INSIDE_TEXT);
            assert.equal(readFileSync(join(root, 'c', 'sub', 'x'), 'utf8'), 'x');
          }
          await fs.copy('/a/sub', '/a/sub2', true);
          await swap.paused(() =>
            assert.equal(readFileSync(join(realDir(), 'sub2', 'x'), 'utf8'), 'x'),
          );
        },
        { refillEachRound: true },
      );
    });

    it('deletes only the target’s files', async () => {
      await race(
        async () => {
          await fs.delete('/a/sub', true);
          await fs.delete('/a/f', false);
        },
        { refillEachRound: true },
      );
    });
  });
}
