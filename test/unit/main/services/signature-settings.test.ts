import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Settings } from '../../../../main/ipc/contract';
import { planExport, planExportDryRun, planImport, type PlanContext } from '../../../../main/services/jobs/plans';
import { signatureSettings } from '../../../../main/services/jobs/signature-settings';
import { isAirlockError } from '../../../../src/errors';

const YAML = 'kind: ImageSetConfiguration\napiVersion: mirror.openshift.io/v2alpha1\nmirror:\n  additionalImages:\n    - name: quay.io/org/app:1\n';

describe('the cosign signature switch, in the engine\'s terms', () => {
  let dir: string;
  let registriesDir: string;
  let ctx: PlanContext;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'airlock-sigsettings-'));
    registriesDir = join(dir, 'registries.d');
    await mkdir(registriesDir);
    await writeFile(join(registriesDir, 'quay.yaml'), 'docker:\n  quay.io:\n    use-sigstore-attachments: false\n    surprise: 1\n');
    await mkdir(join(dir, 'drive'));
    const settings: Settings = { dataDir: join(dir, 'data'), cacheDir: join(dir, 'cache'), parallelImages: 2, parallelLayers: 2, retryTimes: 0, retryDelayMs: 0, operator: 'op', registriesDir };
    ctx = { settings, operator: 'op', credentialFor: async () => undefined };
  });

  after(() => rm(dir, { recursive: true, force: true }));

  it('removes signatures unless asked, without reading registries.d', async () => {
    for (const carry of [undefined, false]) {
      assert.deepEqual(await signatureSettings(carry, join(dir, 'not-there')), { settings: { removeSignatures: true }, warnings: [] });
    }
  });

  it('carries them when asked, with the registries.d folder of the settings and its warnings', async () => {
    const { settings, warnings } = await signatureSettings(true, registriesDir);
    assert.equal(settings.removeSignatures, false);
    assert.equal(settings.registriesD?.dir, registriesDir);
    assert.deepEqual(settings.registriesD?.docker.map((d) => [d.scope, d.useSigstoreAttachments]), [['quay.io', false]]);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /unknown key "surprise"/);
    // Plain data: it crosses into the job worker by structured clone.
    assert.deepEqual(structuredClone(settings), settings);
  });

  it('refuses a registries.d folder that is not there, before the job starts', async () => {
    await assert.rejects(signatureSettings(true, join(dir, 'not-there')), (err: unknown) => isAirlockError(err, 'REGISTRIES_D_UNREADABLE'));
  });

  it('reaches the export, plan and import jobs, and nothing else is sent for signatures when off', async () => {
    const exporting = await planExport({ kind: 'export', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, workspace: join(dir, 'drive'), carrySignatures: true }, ctx);
    const planning = await planExportDryRun({ kind: 'export-plan', configYaml: YAML, configName: 'isc.yaml', srcTlsVerify: true, carrySignatures: true }, ctx);
    const importing = await planImport({ kind: 'import', from: join(dir, 'drive'), target: 'registry.example/mirror', tlsVerify: true, insecureAcceptUntrusted: false, carrySignatures: true }, ctx);
    for (const plan of [exporting, planning, importing]) {
      const options = plan.spec.options as { removeSignatures?: boolean; registriesD?: { dir?: string } };
      assert.equal(options.removeSignatures, false, plan.kind);
      assert.equal(options.registriesD?.dir, registriesDir, plan.kind);
      assert.equal(plan.seedWarnings?.length, 1, plan.kind);
    }
    await planning.cleanup?.();
    const off = await planImport({ kind: 'import', from: join(dir, 'drive'), target: 'registry.example/mirror', tlsVerify: true, insecureAcceptUntrusted: false }, ctx);
    assert.equal((off.spec.options as { removeSignatures?: boolean }).removeSignatures, true);
    assert.equal('registriesD' in off.spec.options, false);
    assert.deepEqual(off.seedWarnings, []);
  });
});
