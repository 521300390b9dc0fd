import { Alert, Label, Radio, Spinner } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import type { IpcError, MediaScan, TransferSetInfo } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { formatBytes, formatTime, shortFingerprint } from '../format';
import { IMPORT_MEDIA, signatureReasonText } from '../messages';

export function SignatureLabel({ set }: { readonly set: TransferSetInfo }) {
  const s = set.signature;
  return s.trusted ? (
    <Label isCompact status="success">
      {IMPORT_MEDIA.trusted(s.label)}
    </Label>
  ) : (
    <Label isCompact status="danger" title={signatureReasonText(s.reason)}>
      {IMPORT_MEDIA.untrusted}
    </Label>
  );
}

/** The transfer sets found on a drive or folder, one selectable at a time. */
export function SetTable({ scan, selected, onSelect }: { readonly scan: MediaScan; readonly selected: TransferSetInfo | undefined; readonly onSelect: (set: TransferSetInfo) => void }) {
  return (
    <>
      {scan.sets.length === 0 ? <Alert variant="info" isInline isPlain title={IMPORT_MEDIA.noSets} /> : null}
      {scan.sets.length > 0 ? (
        <Table aria-label={IMPORT_MEDIA.setsLabel} variant="compact">
          <Thead>
            <Tr>
              <Th screenReaderText={IMPORT_MEDIA.setsLabel} />
              <Th>{IMPORT_MEDIA.colSet}</Th>
              <Th>{IMPORT_MEDIA.colOrigin}</Th>
              <Th>{IMPORT_MEDIA.colSize}</Th>
            </Tr>
          </Thead>
          <Tbody>
            {scan.sets.map((set, i) => (
              <Tr key={set.dir} isRowSelected={selected?.dir === set.dir}>
                <Td modifier="fitContent">
                  <Radio id={`set-${i}`} name="airlock-set" isChecked={selected?.dir === set.dir} onChange={() => onSelect(set)} aria-label={IMPORT_MEDIA.select(set.setId)} />
                </Td>
                <Td dataLabel={IMPORT_MEDIA.colSet}>
                  <div className="airlock-mono airlock-nowrap">{set.setId}</div>
                  <div className="airlock-muted">{`${IMPORT_MEDIA.colCreated} ${formatTime(set.createdAt)}`}</div>
                </Td>
                <Td dataLabel={IMPORT_MEDIA.colOrigin}>
                  <div className="airlock-mono" title={set.stationFingerprint}>
                    {shortFingerprint(set.stationFingerprint)}
                  </div>
                  <SignatureLabel set={set} />{' '}
                  {!set.complete ? (
                    <Label isCompact status="warning" title={IMPORT_MEDIA.incompleteHelp}>
                      {IMPORT_MEDIA.incomplete}
                    </Label>
                  ) : null}
                </Td>
                <Td dataLabel={IMPORT_MEDIA.colSize}>
                  {formatBytes(set.totalBytes)}
                  <div className="airlock-muted">{IMPORT_MEDIA.imageCount(set.images)}</div>
                </Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      ) : null}
      {scan.unreadable.map((u) => (
        <Alert key={u.dir} variant="warning" isInline isPlain title={IMPORT_MEDIA.unreadable(u.dir)}>
          {u.error.message}
        </Alert>
      ))}
    </>
  );
}

/** Where a scan of a drive or folder stands: scanning, failed, or the sets it found. */
export type ScanView =
  | { readonly kind: 'idle' }
  | { readonly kind: 'scanning' }
  | { readonly kind: 'scanned'; readonly scan: MediaScan }
  | { readonly kind: 'failed'; readonly error: IpcError };

export function ScanResult({ scan, selected, onSelect }: { readonly scan: ScanView; readonly selected: TransferSetInfo | undefined; readonly onSelect: (set: TransferSetInfo) => void }) {
  return (
    <>
      {scan.kind === 'scanning' ? (
        <p>
          <Spinner size="md" aria-hidden /> {IMPORT_MEDIA.scanning}
        </p>
      ) : null}
      {scan.kind === 'failed' ? <ErrorAlert error={scan.error} /> : null}
      {scan.kind === 'scanned' ? <SetTable scan={scan.scan} selected={selected} onSelect={onSelect} /> : null}
    </>
  );
}
