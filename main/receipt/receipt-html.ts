/**
 * The transfer receipt: the chain-of-custody page an air-gapped site files for every set that
 * crossed. A pure function from plain data to a self-contained HTML document (inline styles, no
 * scripts, no external resources, its own restrictive CSP), so the app can print it to PDF and the
 * command line can write it as HTML. No Electron and no Node APIs: it can move to src/ unchanged.
 */

export interface ReceiptImage {
  readonly source: string;
  readonly destination: string;
  readonly digest?: string;
  readonly status: string;
}

export interface ReceiptPart {
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
}

export interface ReceiptData {
  readonly kind: 'export' | 'import';
  readonly setId: string;
  /** sha256 of transfer.json, the signed description of the set. */
  readonly manifestSha256?: string;
  readonly signature: { readonly fingerprint: string; readonly trusted?: boolean; readonly label?: string };
  readonly operator: string;
  /** The station that produced this receipt: host name and its key's fingerprint. */
  readonly station: { readonly host: string; readonly fingerprint?: string };
  readonly airlockVersion: string;
  readonly startedAt?: string;
  readonly finishedAt: string;
  /** Export: the folder or drive written to. Import: the registry pushed to. */
  readonly destination: string;
  /** Import: where the set was read from. */
  readonly source?: string;
  readonly images: readonly ReceiptImage[];
  readonly parts?: readonly ReceiptPart[];
  readonly totalBytes?: number;
  readonly verification: { readonly ok: boolean; readonly summary: string; readonly problems?: readonly string[] };
  readonly generatedAt: string;
}

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]} (${n.toLocaleString('en-US')} bytes)`;
}

function row(label: string, value: string | undefined, mono = false): string {
  if (value === undefined || value === '') return '';
  return `<tr><th scope="row">${escapeHtml(label)}</th><td${mono ? ' class="mono"' : ''}>${escapeHtml(value)}</td></tr>`;
}

const STYLE = `
  @page { size: A4; margin: 16mm 14mm; }
  * { box-sizing: border-box; }
  body { font: 10pt/1.4 "Red Hat Text", "Helvetica Neue", Arial, sans-serif; color: #151515; margin: 0; }
  h1 { font-size: 16pt; margin: 0 0 2mm; }
  h2 { font-size: 12pt; margin: 6mm 0 2mm; border-bottom: 1px solid #c7c7c7; padding-bottom: 1mm; }
  .sub { color: #4d4d4d; margin: 0 0 4mm; }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm; border-bottom: 1px solid #e0e0e0; }
  th[scope=row] { width: 38%; font-weight: 600; }
  thead th { background: #f2f2f2; font-weight: 600; }
  .mono { font-family: "Red Hat Mono", "DejaVu Sans Mono", monospace; font-size: 8.5pt; word-break: break-all; }
  .verdict { padding: 3mm; border: 1.5px solid; border-radius: 2mm; margin: 3mm 0; font-weight: 600; }
  .ok { border-color: #3e8635; color: #1e4f18; }
  .bad { border-color: #c9190b; color: #7d1007; }
  .sign { margin-top: 12mm; display: grid; grid-template-columns: 1fr 1fr; gap: 10mm; }
  .sign div { border-top: 1px solid #151515; padding-top: 1mm; color: #4d4d4d; }
  tr { break-inside: avoid; }
`;

export function renderReceiptHtml(r: ReceiptData): string {
  const title = r.kind === 'export' ? 'Transfer receipt: export to media' : 'Transfer receipt: import into the enclave';
  const signature =
    r.signature.trusted === undefined
      ? r.signature.fingerprint
      : `${r.signature.fingerprint} (${r.signature.trusted ? `trusted${r.signature.label ? `: ${r.signature.label}` : ''}` : 'NOT trusted by this station'})`;
  const images = r.images
    .map(
      (i) =>
        `<tr><td class="mono">${escapeHtml(i.source)}</td><td class="mono">${escapeHtml(i.destination)}</td><td class="mono">${escapeHtml(i.digest ?? '')}</td><td>${escapeHtml(i.status)}</td></tr>`,
    )
    .join('');
  const parts = (r.parts ?? []).map((p) => `<tr><td class="mono">${escapeHtml(p.name)}</td><td>${escapeHtml(bytes(p.size))}</td><td class="mono">${escapeHtml(p.sha256)}</td></tr>`).join('');
  const problems = (r.verification.problems ?? []).map((p) => `<li>${escapeHtml(p)}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(`Airlock receipt ${r.setId}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">Airlock ${escapeHtml(r.airlockVersion)} &middot; generated ${escapeHtml(r.generatedAt)}</p>
<div class="verdict ${r.verification.ok ? 'ok' : 'bad'}">${escapeHtml(r.verification.ok ? 'Verification passed' : 'Verification FAILED')}: ${escapeHtml(r.verification.summary)}</div>
${problems ? `<ul>${problems}</ul>` : ''}
<h2>Transfer set</h2>
<table>
${row('Set ID', r.setId, true)}
${row('Manifest SHA-256 (transfer.json)', r.manifestSha256, true)}
${row('Signed by station key', signature, true)}
${row(r.kind === 'export' ? 'Written to' : 'Pushed to registry', r.destination, true)}
${row('Read from', r.source, true)}
${r.totalBytes === undefined ? '' : row('Size', bytes(r.totalBytes))}
${row('Started', r.startedAt)}
${row('Finished', r.finishedAt)}
${row('Operator', r.operator)}
${row('Station', r.station.host)}
${row('Station key', r.station.fingerprint, true)}
</table>
<h2>Images (${r.images.length})</h2>
<table>
<thead><tr><th scope="col">Source</th><th scope="col">Destination</th><th scope="col">Digest</th><th scope="col">Status</th></tr></thead>
<tbody>${images}</tbody>
</table>
${parts ? `<h2>Parts (${(r.parts ?? []).length})</h2><table><thead><tr><th scope="col">File</th><th scope="col">Size</th><th scope="col">SHA-256</th></tr></thead><tbody>${parts}</tbody></table>` : ''}
<div class="sign"><div>Operator signature and date</div><div>Witness / security officer</div></div>
</body>
</html>
`;
}
