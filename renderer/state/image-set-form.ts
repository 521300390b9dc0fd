/**
 * The Export wizard's image-set form and its YAML, kept in sync both ways. The form covers what
 * Airlock can carry today (additional images, blocked images, archive size); a configuration with
 * anything else is edited in the YAML view only. Validation problems from main (line, column,
 * dotted path) are mapped back onto form fields.
 */
import { isMap, isScalar, isSeq, parseDocument, stringify } from 'yaml';
import type { ConfigProblemView } from '../api';

export const API_VERSION = 'mirror.openshift.io/v2alpha1';
export const KIND = 'ImageSetConfiguration';
export const DEFAULT_CONFIG_NAME = 'imageset-config.yaml';

export interface ImageSetForm {
  readonly additionalImages: readonly string[];
  readonly blockedImages: readonly string[];
  /** GiB as typed; empty means the default (500 GiB). */
  readonly archiveSizeGiB: string;
}

export const EMPTY_FORM: ImageSetForm = { additionalImages: [''], blockedImages: [], archiveSizeGiB: '' };

/** The YAML for a form. Empty rows are left out (they are still being typed). */
export function formToYaml(form: ImageSetForm): string {
  const additional = form.additionalImages.map((s) => s.trim()).filter((s) => s !== '');
  const blocked = form.blockedImages.map((s) => s.trim()).filter((s) => s !== '');
  const size = form.archiveSizeGiB.trim();
  const doc: Record<string, unknown> = { kind: KIND, apiVersion: API_VERSION };
  if (size !== '') doc.archiveSize = /^\d+$/.test(size) ? Number(size) : size;
  const mirror: Record<string, unknown> = { additionalImages: additional.map((name) => ({ name })) };
  if (blocked.length > 0) mirror.blockedImages = blocked.map((name) => ({ name }));
  doc.mirror = mirror;
  return stringify(doc, { lineWidth: 0 });
}

export type FormFromYaml =
  | { readonly kind: 'form'; readonly form: ImageSetForm }
  /** The YAML is fine for Airlock but holds more than the form shows (or is not valid YAML yet). */
  | { readonly kind: 'yaml-only'; readonly reason: 'syntax' | 'sections' | 'shape' };

function names(node: unknown): string[] | undefined {
  if (node === undefined || node === null) return [];
  if (!isSeq(node)) return undefined;
  const out: string[] = [];
  for (const item of node.items) {
    if (isScalar(item) && typeof item.value === 'string') {
      out.push(item.value);
      continue;
    }
    if (!isMap(item) || item.items.length !== 1) return undefined;
    const pair = item.items[0];
    if (!pair || !isScalar(pair.key) || pair.key.value !== 'name' || !isScalar(pair.value)) return undefined;
    out.push(String(pair.value.value ?? ''));
  }
  return out;
}

/** The form for a YAML text, when the form can show all of it. */
export function yamlToForm(yaml: string): FormFromYaml {
  const doc = parseDocument(yaml);
  if (doc.errors.length > 0) return { kind: 'yaml-only', reason: 'syntax' };
  const root = doc.contents;
  if (!isMap(root)) return { kind: 'yaml-only', reason: 'shape' };
  let additional: string[] = [];
  let blocked: string[] = [];
  let archive = '';
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (key === 'kind' || key === 'apiVersion') continue;
    if (key === 'archiveSize') {
      archive = isScalar(pair.value) ? String(pair.value.value ?? '') : '';
      continue;
    }
    if (key !== 'mirror' || !isMap(pair.value)) return { kind: 'yaml-only', reason: key === 'mirror' ? 'shape' : 'sections' };
    for (const section of pair.value.items) {
      const name = isScalar(section.key) ? section.key.value : undefined;
      if (name === 'additionalImages') {
        const list = names(section.value);
        if (!list) return { kind: 'yaml-only', reason: 'shape' };
        additional = list;
      } else if (name === 'blockedImages') {
        const list = names(section.value);
        if (!list) return { kind: 'yaml-only', reason: 'shape' };
        blocked = list;
      } else {
        return { kind: 'yaml-only', reason: 'sections' };
      }
    }
  }
  return { kind: 'form', form: { additionalImages: additional.length > 0 ? additional : [''], blockedImages: blocked, archiveSizeGiB: archive } };
}

export type FieldRef =
  | { readonly field: 'additionalImages' | 'blockedImages'; readonly row: number }
  | { readonly field: 'archiveSize' }
  | { readonly field: 'document' };

/**
 * Which form field a problem belongs to. `mirror.additionalImages[2].name` names the third entry
 * of the YAML list; the form may hold empty rows the YAML leaves out, so the YAML index is mapped
 * onto the form row that produced it.
 */
export function problemField(problem: ConfigProblemView, form: ImageSetForm | undefined): FieldRef {
  const list = /^mirror\.(additionalImages|blockedImages)\[(\d+)\]/.exec(problem.path);
  if (list) {
    const field = list[1] as 'additionalImages' | 'blockedImages';
    const yamlIndex = Number(list[2]);
    if (!form) return { field, row: yamlIndex };
    let seen = -1;
    const rows = form[field];
    for (let row = 0; row < rows.length; row++) {
      if ((rows[row] ?? '').trim() === '') continue;
      seen++;
      if (seen === yamlIndex) return { field, row };
    }
    return { field, row: yamlIndex };
  }
  if (problem.path === 'archiveSize' || problem.path.startsWith('archiveSize')) return { field: 'archiveSize' };
  return { field: 'document' };
}

export function problemsFor(problems: readonly ConfigProblemView[], form: ImageSetForm | undefined, ref: FieldRef): ConfigProblemView[] {
  return problems.filter((p) => {
    const at = problemField(p, form);
    if (at.field !== ref.field) return false;
    return !('row' in at) || !('row' in ref) || at.row === ref.row;
  });
}

/** The character offset where a 1-based line starts, for moving the caret to a problem. */
export function offsetOfLine(text: string, line: number): number {
  let offset = 0;
  for (let current = 1; current < line; current++) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  return offset;
}
