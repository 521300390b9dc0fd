import './dom';
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { cleanup, fireEvent, screen } from '@testing-library/react';
import { initialDraft, type ExportAction, type ImageSetDraft } from '../../../renderer/state/export-wizard';
import { formToYaml } from '../../../renderer/state/image-set-form';
import { ImageSetStep } from '../../../renderer/wizards/export/ImageSetStep';
import { FakeApi } from './fake-api';
import { h, renderWithApi } from './render';

afterEach(cleanup);

function show(draft: ImageSetDraft, extra: { onOpenFile?: () => void } = {}): ExportAction[] {
  const actions: ExportAction[] = [];
  renderWithApi(h(ImageSetStep, { draft, dispatch: (a: ExportAction) => actions.push(a), onOpenFile: extra.onOpenFile ?? (() => undefined) }), new FakeApi());
  return actions;
}

const form = { additionalImages: ['quay.io/org/app:1', 'Not A Ref'], blockedImages: ['quay.io/org/secret'], archiveSizeGiB: 'x' };

describe('ImageSetStep', () => {
  it('turns typing, adding and removing rows into form changes', () => {
    const actions = show({ ...initialDraft(), form, yaml: formToYaml(form) });
    fireEvent.change(screen.getByLabelText('Additional image 1'), { target: { value: 'quay.io/org/app:2' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add image' }));
    fireEvent.click(screen.getByRole('button', { name: 'Remove blocked image 1' }));
    assert.deepEqual(
      actions.map((a) => (a.type === 'form/changed' ? [a.form.additionalImages, a.form.blockedImages] : a.type)),
      [
        [['quay.io/org/app:2', 'Not A Ref'], ['quay.io/org/secret']],
        [['quay.io/org/app:1', 'Not A Ref', ''], ['quay.io/org/secret']],
        [['quay.io/org/app:1', 'Not A Ref'], []],
      ],
    );
  });

  it('sends YAML edits and the TLS switch as their own actions', () => {
    const actions = show(initialDraft());
    fireEvent.change(screen.getByLabelText('ImageSetConfiguration YAML'), { target: { value: 'kind: ImageSetConfiguration\n' } });
    fireEvent.click(screen.getByRole('switch', { name: "Verify the source registries' TLS certificates" }));
    assert.deepEqual(actions, [
      { type: 'yaml/changed', yaml: 'kind: ImageSetConfiguration\n' },
      { type: 'tls/changed', verify: false },
    ]);
  });

  it('offers to carry cosign signatures, off by default as in oc-mirror, and says the import needs it too', () => {
    const actions = show(initialDraft());
    const toggle = screen.getByRole('switch', { name: 'Carry cosign signatures' }) as HTMLInputElement;
    assert.equal(toggle.checked, false);
    const help = document.getElementById(String(toggle.getAttribute('aria-describedby')));
    assert.match(help?.textContent ?? '', /--remove-signatures=false\. Needed on both sides of the gap: turn it on again when importing/);
    fireEvent.click(toggle);
    assert.deepEqual(actions, [{ type: 'signatures/changed', carry: true }]);
    cleanup();
    show({ ...initialDraft(), carrySignatures: true });
    assert.equal((screen.getByRole('switch', { name: 'Carry cosign signatures' }) as HTMLInputElement).checked, true);
  });

  it('shows each problem at its field and its line, and jumps to the line', () => {
    const problems = [
      { line: 6, column: 7, path: 'mirror.additionalImages[1].name', message: '"Not A Ref" is not a valid image reference' },
      { line: 3, column: 14, path: 'archiveSize', message: 'must be a positive integer', hint: 'a number of GiB' },
    ];
    show({ ...initialDraft(), form, yaml: formToYaml(form), validation: { kind: 'invalid', problems } });
    const field = screen.getByLabelText('Additional image 2');
    assert.equal(field.getAttribute('aria-invalid'), 'true');
    const describedBy = field.getAttribute('aria-describedby') ?? '';
    assert.match(document.getElementById(describedBy)?.textContent ?? '', /Line 6, column 7: "Not A Ref" is not a valid image reference/);
    assert.equal(screen.getByLabelText('Additional image 1').getAttribute('aria-invalid'), 'false');
    assert.match(screen.getByText(/must be a positive integer/, { selector: '.pf-v6-c-helper-text__item-text' }).textContent ?? '', /Line 3, column 14/);
    assert.deepEqual([...document.querySelectorAll('.airlock-yaml-problem')].map((e) => e.textContent), ['3', '6']);
    screen.getByText('2 problems in the configuration');
    screen.getByText('a number of GiB');

    const yaml = screen.getByLabelText('ImageSetConfiguration YAML') as HTMLTextAreaElement;
    fireEvent.click(screen.getByRole('button', { name: /Go to line 6/ }));
    assert.equal(document.activeElement, yaml);
    assert.equal(yaml.value.slice(0, yaml.selectionStart).split('\n').length, 6);
  });

  const verdicts: ReadonlyArray<readonly [string, ImageSetDraft['validation'], RegExp]> = [
    ['checking', { kind: 'checking', revision: 0 }, /Checking the configuration/],
    ['valid', { kind: 'valid', summary: { valid: true, archiveSizeGiB: 500, additionalImages: ['a', 'b'], blockedImages: ['c'], unsupported: [] } }, /Valid: 2 images to mirror, 1 blocked pattern\./],
    ['unsupported', { kind: 'valid', summary: { valid: true, archiveSizeGiB: 500, additionalImages: ['a'], blockedImages: [], unsupported: ['operators', 'helm'] } }, /cannot carry mirror\.operators, mirror\.helm yet/],
    ['empty', { kind: 'valid', summary: { valid: true, archiveSizeGiB: 500, additionalImages: [], blockedImages: [], unsupported: [] } }, /Add at least one image, operator catalog or release channel to mirror/],
    ['an error from main', { kind: 'error', error: { code: 'IPC_UNAVAILABLE', message: 'no bridge' } }, /not connected to its main process/],
  ];
  for (const [name, validation, text] of verdicts) {
    it(`says when the configuration is ${name}`, () => {
      show({ ...initialDraft(), validation });
      screen.getByText(text);
    });
  }

  it('makes the form read-only when the YAML holds more than it shows', () => {
    show({ ...initialDraft(), formInSync: false, openedFrom: '/home/op/isc.yaml' });
    screen.getByText(/has sections the form cannot show/);
    screen.getByText('Opened from /home/op/isc.yaml');
    assert.equal((screen.getByLabelText('Additional image 1') as HTMLInputElement).disabled, true);
    assert.equal((screen.getByRole('button', { name: 'Add image' }) as HTMLButtonElement).disabled, true);
  });

  it('opens a configuration file', () => {
    let opened = 0;
    show(initialDraft(), { onOpenFile: () => opened++ });
    fireEvent.click(screen.getByRole('button', { name: 'Open configuration file…' }));
    assert.equal(opened, 1);
  });
});
