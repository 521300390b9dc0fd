// The modules under test in test/unit/main must load under plain Node: they may import electron
// for types only. (Here require('electron') throws, so a runtime import would already fail to load;
// on a machine with Electron installed this check still catches it.)
import assert from 'node:assert/strict';
import path from 'node:path';
import { it } from 'node:test';
import '../../../main/app-scheme';
import '../../../main/csp';
import '../../../main/ipc/dispatch';
import '../../../main/ipc/handlers';
import '../../../main/ipc/trusted-sender';
import '../../../main/ipc/validate';
import '../../../main/security';
import '../../../main/window-options';
import '../../../main/ipc/schema';
import '../../../main/ipc/server';
import '../../../main/receipt/receipt-html';
import '../../../main/services/app-services';
import '../../../main/services/credentials';
import '../../../main/services/drives';
import '../../../main/services/drives/lsblk';
import '../../../main/services/history-view';
import '../../../main/services/jobs/host';
import '../../../main/services/jobs/plans';
import '../../../main/services/jobs/progress-model';
import '../../../main/services/jobs/runner';
import '../../../main/services/settings';
import '../../../main/services/transfer-sets';

it('pure main modules do not load electron at runtime', () => {
  const loaded = Object.keys(require.cache);
  assert.ok(
    loaded.some((file) => file.endsWith(path.join('main', 'security.ts'))),
    'the modules were not loaded through require; this check would see nothing',
  );
  assert.deepEqual(
    loaded.filter((file) => /[\\/]node_modules[\\/]electron[\\/]/.test(file)),
    [],
  );
});
