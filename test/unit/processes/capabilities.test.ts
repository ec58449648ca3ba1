import assert from 'node:assert/strict';
import {
  CAPABILITY_NAMES,
  decodeCapabilities,
  hasCapability,
} from '../../../src/processes/capabilities';

describe('processes: capabilities', () => {
  it('decodes a container’s default set (CapEff of nginx’s master on the sandbox)', () => {
    assert.deepEqual(decodeCapabilities('00000000a80425fb'), {
      names: [
        'CHOWN',
        'DAC_OVERRIDE',
        'FOWNER',
        'FSETID',
        'KILL',
        'SETGID',
        'SETUID',
        'SETPCAP',
        'NET_BIND_SERVICE',
        'NET_RAW',
        'SYS_CHROOT',
        'MKNOD',
        'AUDIT_WRITE',
        'SETFCAP',
      ],
      all: false,
    });
  });

  it('decodes empty, full and future sets', () => {
    assert.deepEqual(decodeCapabilities('0000000000000000'), { names: [], all: false });
    const full = decodeCapabilities('000001ffffffffff');
    assert.equal(full?.all, true);
    assert.deepEqual(full?.names, [...CAPABILITY_NAMES]);
    // A kernel newer than this list: the unknown bit is named by number, not dropped.
    assert.deepEqual(decodeCapabilities('0000020000000001')?.names, ['CHOWN', 'cap_41']);
    assert.equal(decodeCapabilities('zz'), undefined);
    assert.equal(decodeCapabilities(''), undefined);
  });

  it('tells whether a set holds one capability', () => {
    // The shell container of the task page: the defaults plus SYS_PTRACE (bit 19).
    assert.equal(hasCapability('00000000a80c25fb', 'SYS_PTRACE'), true);
    assert.equal(hasCapability('00000000a80425fb', 'SYS_PTRACE'), false);
    assert.equal(hasCapability('00000000a80425fb', 'KILL'), true);
    // The sandbox's uid-1000 container that dropped KILL.
    assert.equal(hasCapability('00000000a80425db', 'KILL'), false);
    assert.equal(hasCapability(undefined, 'KILL'), false);
  });
});
