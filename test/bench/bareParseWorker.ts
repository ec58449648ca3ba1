// The bench's baseline in a process of its own: `yaml.parseAllDocuments` of the file given as
// argv[2], timed here each time the parent asks, with the Node options the process was started
// with and in a heap the bench's own bookkeeping does not share.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseAllDocuments } from 'yaml';

const text = readFileSync(process.argv[2], 'utf8');
process.on('message', () => {
  const start = performance.now();
  parseAllDocuments(text);
  process.send?.(performance.now() - start);
});
process.send?.('ready');
