/**
 * The operator's journeys through the app, written once and run by both e2e projects: in Chromium
 * against the harness (wizards.test.ts) and in the real Electron app (electron.test.ts). A station
 * only has to show the app in a page and answer native dialogs.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { screenshot } from './harness/browser';
import { AppShell } from './pages/app-shell';
import { ExportWizardPage } from './pages/export-wizard';
import { ImportWizardPage } from './pages/import-wizard';
import { SettingsPage } from './pages/settings';

export type DialogKind = 'openFile' | 'chooseFolder' | 'saveFile';

export interface FlowStation {
  readonly page: Page;
  /** The next native dialog of this kind answers with `path`. */
  answerDialog(kind: DialogKind, path: string): Promise<void>;
  /** What the app last put on the clipboard. */
  clipboard(): Promise<string>;
}

/** Where the set goes (export) or comes from (import): a detected drive, or a folder chosen in a dialog. */
export type MediaChoice = { readonly kind: 'drive'; readonly label: string } | { readonly kind: 'folder'; readonly path: string };

export interface ExportFlowOptions {
  readonly images: readonly string[];
  /** A reference that is not one, to see the error at its field and line; skipped when absent. */
  readonly blocked: string;
  readonly media: MediaChoice;
  readonly receiptPath: string;
  /** Prefix for screenshot names; none taken when absent. */
  readonly shots?: string;
  /**
   * Turn "Carry cosign signatures" on: the source holds this many cosign signatures of the images,
   * which the plan then lists and the set carries. Untouched (off) when absent.
   */
  readonly carrySignatures?: number;
  /** Wait for a per-image bar in the Transfer step (the source must be slow enough to show one). */
  readonly perImageProgress?: boolean;
}

/**
 * Waits for the bar of an image in flight in a wizard's per-image progress, and reads it in the same
 * instant (a small image is done in a second): the image it is labelled by, its value text and the
 * counts above it.
 */
async function seeImageBar(page: Page, wizard: 'Export' | 'Import', references: readonly string[], verb: 'Downloading' | 'Uploading'): Promise<void> {
  const handle = await page.waitForFunction(
    (label) => {
      const region = document.querySelector(`[aria-label="${label}"] section[aria-label="Image progress"]`);
      const bar = region?.querySelector('[role="progressbar"]');
      if (!region || !bar) return null;
      return {
        name: document.getElementById(bar.getAttribute('aria-labelledby') ?? '')?.textContent?.trim() ?? '',
        valueText: bar.getAttribute('aria-valuetext') ?? '',
        counts: region.querySelector('.airlock-image-transfers-counts')?.textContent ?? '',
      };
    },
    wizard,
    { timeout: 20_000, polling: 50 },
  );
  const seen = (await handle.jsonValue()) as { name: string; valueText: string; counts: string };
  assert.ok(references.includes(seen.name), `a bar for ${seen.name}, one of ${references.join(', ')}`);
  assert.match(seen.valueText, new RegExp(`^${verb}: \\d+%`));
  assert.match(seen.counts, /^[1-9]\d* in progress · \d+ (downloaded|pushed)/);
}

async function shot(page: Page, options: { readonly shots?: string }, name: string): Promise<void> {
  if (options.shots !== undefined) await screenshot(page, `${options.shots}${name}`);
}

/** Export wizard, start to finish. Returns the set id. Expects `images` to hold three references, the last one blocked. */
export async function exportFlow(station: FlowStation, options: ExportFlowOptions): Promise<string> {
  const { page } = station;
  const wizard = new ExportWizardPage(page);
  const [first, second, third] = options.images;
  assert.ok(first && second && third, 'three images');

  // 1. Image set, built in the form; a bad reference is reported at its field and its YAML line.
  await wizard.addImage(1, first);
  await wizard.addImage(2, second);
  await wizard.addImage(3, 'Not A Reference!!');
  await wizard.validated();
  const fieldError = wizard.root.locator('.pf-v6-c-helper-text__item.pf-m-error').first();
  await fieldError.waitFor();
  assert.match(await fieldError.innerText(), /^Line 7, column 7: .*Not A Reference!!.* is not a valid image reference/);
  assert.equal(await wizard.additionalImage(3).getAttribute('aria-invalid'), 'true');
  assert.equal((await wizard.root.locator('.airlock-yaml-problem').innerText()).trim(), '7');
  await shot(page, options, '01-export-image-set-invalid');

  await wizard.additionalImage(3).fill(third);
  await wizard.addBlocked(1, options.blocked);
  // The YAML follows the form...
  const yaml = await wizard.yaml().inputValue();
  assert.ok(yaml.includes(`- name: ${second}`), yaml);
  assert.match(yaml, /blockedImages:/);
  // ...and the form follows the YAML.
  await wizard.yaml().fill(yaml.replace('apiVersion: mirror.openshift.io/v2alpha1\n', 'apiVersion: mirror.openshift.io/v2alpha1\narchiveSize: 1\n'));
  assert.equal(await wizard.root.getByLabel('Archive size (GiB)').inputValue(), '1');
  await wizard.setSourceTlsVerify(false);
  if (options.carrySignatures !== undefined) await wizard.setCarrySignatures(true);
  await wizard.root.getByText('Valid: 3 images to mirror, 1 blocked pattern.').waitFor();
  await shot(page, options, '02-export-image-set');
  await wizard.next().click();

  // 2. Plan (a dry run against the registry).
  await wizard.heading('The plan').waitFor();
  const planTable = wizard.root.getByRole('grid', { name: 'Images in the plan' });
  await planTable.waitFor();
  const signatures = options.carrySignatures ?? 0;
  assert.equal(await planTable.locator('tbody tr').count(), 2 + signatures, 'the blocked image is not planned; cosign signatures are, when carried');
  if (signatures > 0) await planTable.getByText(/:sha256-[0-9a-f]{64}\.sig$/).first().waitFor();
  await shot(page, options, '03-export-plan');
  await wizard.next().click();

  // 3. Media, with the free-space check.
  await wizard.heading('Where should the transfer set go?').waitFor();
  if (options.media.kind === 'drive') {
    await wizard.driveRadio(options.media.label).check();
  } else {
    await station.answerDialog('chooseFolder', options.media.path);
    await wizard.button('Choose a folder…').click();
  }
  await wizard.root.getByText(/^Enough space: the set needs about/).waitFor();
  await shot(page, options, '04-export-media');
  await wizard.button('Write to media').click();

  // 4. Transfer, 5. Done.
  await wizard.heading(/Transferring|The transfer set is on the media/).waitFor();
  if (options.perImageProgress) {
    await seeImageBar(page, 'Export', [first, second], 'Downloading');
  } else {
    // Catch it moving if it is still moving (a small set takes a second or two).
    await page.waitForFunction(() => {
      const measure = document.querySelector('[aria-label="Export"] .pf-v6-c-progress__measure');
      return measure === null || measure.textContent !== '0%';
    }, undefined, { timeout: 5000, polling: 50 }).catch(() => undefined);
  }
  await shot(page, options, '05-export-transfer');
  await wizard.heading('The transfer set is on the media').waitFor();
  await wizard.root.getByText('Verified on the media').waitFor();
  if (signatures > 0) await wizard.root.getByText(new RegExp(`^${signatures} carried beside (its image|their images)`)).waitFor();
  await wizard.root.getByText(/^2 written/).waitFor();
  const setId = (await wizard.root.getByTestId('set-id').innerText()).trim();
  assert.match(setId, /^[0-9a-f-]{36}$/);
  await shot(page, options, '06-export-done');

  await station.answerDialog('saveFile', options.receiptPath);
  await wizard.button('Save receipt (PDF)').click();
  await wizard.root.getByText(`Receipt saved to ${options.receiptPath}`).waitFor();
  assert.equal((await readFile(options.receiptPath)).subarray(0, 5).toString('latin1'), '%PDF-');
  return setId;
}

/** On the exporting station: the public key it shows, copied. */
export async function copyStationKey(station: FlowStation): Promise<{ pem: string; fingerprint: string }> {
  await new AppShell(station.page).go('Settings');
  await station.page.getByRole('button', { name: 'Copy public key' }).click();
  await station.page.getByRole('button', { name: 'Copied to the clipboard' }).waitFor();
  const pem = await station.clipboard();
  assert.match(pem, /^-----BEGIN PUBLIC KEY-----/);
  const fingerprint = (await new SettingsPage(station.page).stationFingerprint().innerText()).trim();
  return { pem, fingerprint };
}

/** On the importing station: trust that key in Settings. */
export async function trustStation(station: FlowStation, key: { pem: string; fingerprint: string }, label: string, shots?: string): Promise<void> {
  await new AppShell(station.page).go('Settings');
  const settings = new SettingsPage(station.page);
  await settings.trust(key.pem, label);
  await station.page.getByText(`Now trusting ${key.fingerprint}.`).waitFor();
  await settings.trustedTable().getByText(key.fingerprint).waitFor();
  if (shots !== undefined) await screenshot(station.page, `${shots}10-settings-trusted`);
}

export interface ImportFlowOptions {
  readonly setId: string;
  readonly media: MediaChoice;
  readonly trustedLabel: string;
  readonly target: string;
  readonly username: string;
  readonly password: string;
  readonly receiptPath: string;
  readonly shots?: string;
  /** Turn "Carry cosign signatures" on in the Target step. */
  readonly carrySignatures?: boolean;
  /** Wait for a per-image bar in the Push step, labelled by one of these source references. */
  readonly perImageProgress?: readonly string[];
  /** What the last step reports pushed (cosign signatures count as images there); default 2. */
  readonly pushedImages?: number;
}

/** Import wizard, start to finish. */
export async function importFlow(station: FlowStation, options: ImportFlowOptions): Promise<void> {
  const { page } = station;
  await new AppShell(page).go('Import');
  const wizard = new ImportWizardPage(page);

  // 1. Media: the set, signed by the trusted station.
  if (options.media.kind === 'drive') {
    await wizard.driveRadio(options.media.label).check();
  } else {
    await station.answerDialog('chooseFolder', options.media.path);
    await wizard.button('Choose a folder…').click();
  }
  await wizard.setRadio(options.setId).waitFor();
  assert.equal(await wizard.setRadio(options.setId).isChecked(), true, 'the only set is preselected');
  await wizard.root.getByText(`Trusted (${options.trustedLabel})`).waitFor();
  await shot(page, options, '11-import-media');
  await wizard.button('Next').click();

  // 2. Verify.
  await wizard.root.getByText('The transfer set is intact and authentic.').waitFor();
  await shot(page, options, '12-import-verify');
  await wizard.button('Next').click();

  // 3. Target, with credentials handed to main and a connection test.
  await wizard.heading('Where do the images go?').waitFor();
  await wizard.root.getByRole('textbox', { name: /^Registry/ }).fill(options.target);
  await wizard.field('User name').fill(options.username);
  await wizard.field('Password or token').fill(options.password);
  await wizard.root.getByRole('switch', { name: "Verify the registry's TLS certificate" }).click({ force: true });
  if (options.carrySignatures) await wizard.setCarrySignatures(true);
  await wizard.button('Test connection').click();
  await wizard.root.getByText('Connected and signed in.').waitFor();
  assert.equal(await wizard.field('Password or token').inputValue(), '', 'the password left the page once main had it');
  await shot(page, options, '13-import-target');
  await wizard.button('Push images').click();

  // 4. Push, 5. Cluster resources.
  await wizard.heading(/Pushing to the registry|Apply these to the cluster/).waitFor();
  if (options.perImageProgress) {
    await seeImageBar(page, 'Import', options.perImageProgress, 'Uploading');
  } else {
    await page.waitForFunction(() => {
      const measure = document.querySelector('[aria-label="Import"] .pf-v6-c-progress__measure');
      return measure === null || measure.textContent !== '0%';
    }, undefined, { timeout: 5000, polling: 50 }).catch(() => undefined);
  }
  await shot(page, options, '14-import-push');
  await wizard.heading('Apply these to the cluster').waitFor();
  await wizard.root.getByText(new RegExp(`\\b${options.pushedImages ?? 2} images pushed, `)).waitFor();
  await wizard.root.locator('.pf-v6-c-code-block__code').filter({ hasText: 'oc apply -f ' }).waitFor();
  await wizard.root.getByText(/kind: ImageDigestMirrorSet|kind: ImageTagMirrorSet/).first().waitFor();
  await wizard.root.getByRole('button', { name: 'Copy the oc apply command' }).click();
  await shot(page, options, '15-import-resources');
  assert.match(await station.clipboard(), /^oc apply -f \//);

  await station.answerDialog('saveFile', options.receiptPath);
  await wizard.button('Save receipt (PDF)').click();
  await wizard.root.getByText(`Receipt saved to ${options.receiptPath}`).waitFor();
  assert.equal((await readFile(options.receiptPath)).subarray(0, 5).toString('latin1'), '%PDF-');
}
