import assert from 'node:assert/strict';
import {
  escapeMarkdown,
  formatCpuPercent,
  formatCpuTime,
  formatElapsed,
  formatRss,
  markdownCode,
  processAgeSeconds,
} from '../../../src/processes/format';

describe('processes: formatting', () => {
  it('formatRss uses binary units with one decimal below 100', () => {
    assert.equal(formatRss(0), '0 KiB');
    assert.equal(formatRss(812), '812 KiB');
    assert.equal(formatRss(1024), '1.0 MiB');
    assert.equal(formatRss(12595), '12.3 MiB');
    assert.equal(formatRss(262144), '256 MiB');
    assert.equal(formatRss(1572864), '1.5 GiB');
    assert.equal(formatRss(Number.NaN), '0 KiB');
  });

  it('formatCpuTime reads like top’s TIME+', () => {
    assert.equal(formatCpuTime(123, 100), '0:01.23');
    assert.equal(formatCpuTime(0, 100), '0:00.00');
    assert.equal(formatCpuTime(6000, 100), '1:00.00');
    assert.equal(formatCpuTime(1234567, 100), '205:45.67');
    assert.equal(formatCpuTime(250, 250), '0:01.00');
  });

  it('formatCpuPercent has one decimal and is empty without a second sample', () => {
    assert.equal(formatCpuPercent(3.25), '3.3%');
    assert.equal(formatCpuPercent(145), '145.0%');
    assert.equal(formatCpuPercent(undefined), '');
  });

  it('processAgeSeconds and formatElapsed give ps’s ETIME', () => {
    assert.equal(processAgeSeconds(804.35, 62072, 100), 804.35 - 620.72);
    assert.equal(processAgeSeconds(undefined, 62072, 100), undefined);
    assert.equal(formatElapsed(183.63), '03:03');
    assert.equal(formatElapsed(3 * 3600 + 61), '03:01:01');
    assert.equal(formatElapsed(2 * 86400 + 5), '2-00:00:05');
    assert.equal(formatElapsed(-1), '00:00');
  });

  describe('Markdown from container data', () => {
    it('escapes what Markdown or HTML would act on, so a user name is only text', () => {
      const hostile =
        '[click](command:workbench.action.terminal.new) ![x](https://e/x.png) <img src=x> # title\n* item';
      const escaped = escapeMarkdown(hostile);
      assert.ok(!/(^|[^\\])[[\]()<>#*!]/.test(escaped), escaped);
      assert.ok(!escaped.includes('\n'));
      assert.equal(escaped.replace(/\\(.)/g, '$1'), hostile.replace('\n', ' '));
    });

    it('fences inline code longer than any run of backticks inside it', () => {
      assert.equal(markdownCode('a ``b`` c'), '``` a ``b`` c ```');
      assert.equal(markdownCode('plain'), '` plain `');
      assert.equal(markdownCode('two\nlines'), '` two lines `');
    });
  });
});
