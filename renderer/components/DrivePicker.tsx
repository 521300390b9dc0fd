import { Alert, Button, Label, Radio, Spinner, Split, SplitItem } from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { FolderOpenIcon, SyncAltIcon } from '@patternfly/react-icons';
import type { Drive } from '../api';
import { MEDIA } from '../messages';
import type { DrivesState } from '../state/use-drives';
import { ErrorAlert } from './ErrorAlert';

export interface DrivePickerProps {
  readonly drives: DrivesState;
  /** The mount point or folder currently chosen. */
  readonly selectedPath: string | undefined;
  readonly onSelectDrive: (drive: Drive) => void;
  readonly onChooseFolder: () => void;
  readonly onRefresh: () => void;
  /** Extra cell per drive (free-space verdict, sets found). */
  readonly describe?: (drive: Drive) => React.ReactNode;
}

/** Detected removable drives as a radio table, plus "choose a folder", which always works. */
export function DrivePicker({ drives, selectedPath, onSelectDrive, onChooseFolder, onRefresh, describe }: DrivePickerProps) {
  return (
    <>
      <Split hasGutter className="airlock-toolbar">
        <SplitItem isFilled>
          <strong>{MEDIA.drivesTitle}</strong>
        </SplitItem>
        <SplitItem>
          <Button variant="link" icon={<SyncAltIcon />} onClick={onRefresh}>
            {MEDIA.refresh}
          </Button>
        </SplitItem>
        <SplitItem>
          <Button variant="secondary" icon={<FolderOpenIcon />} onClick={onChooseFolder}>
            {MEDIA.chooseFolder}
          </Button>
        </SplitItem>
      </Split>
      <DriveTable drives={drives} selectedPath={selectedPath} onSelectDrive={onSelectDrive} {...(describe ? { describe } : {})} />
    </>
  );
}

function DriveTable({ drives, selectedPath, onSelectDrive, describe }: Pick<DrivePickerProps, 'drives' | 'selectedPath' | 'onSelectDrive' | 'describe'>) {
  if (drives.kind === 'loading') return <Spinner size="md" aria-label={MEDIA.drivesTitle} />;
  if (drives.kind === 'failed') {
    return drives.error.code === 'DRIVES_UNAVAILABLE' ? <Alert variant="info" isInline isPlain title={MEDIA.drivesUnavailable} /> : <ErrorAlert error={drives.error} />;
  }
  if (drives.drives.length === 0) return <Alert variant="info" isInline isPlain title={MEDIA.noDrives} />;
  return (
    <Table aria-label={MEDIA.drivesLabel} variant="compact">
      <Thead>
        <Tr>
          <Th screenReaderText={MEDIA.drivesLabel} />
          <Th>{MEDIA.drivesTitle}</Th>
          <Th>{MEDIA.folder}</Th>
          {describe ? <Th screenReaderText={MEDIA.drivesTitle} /> : null}
        </Tr>
      </Thead>
      <Tbody>
        {drives.drives.map((drive, rowIndex) => (
          <Tr key={drive.id} isRowSelected={selectedPath === drive.mountPoint}>
            <Td modifier="fitContent">
              <Radio
                id={`drive-${rowIndex}`}
                name="airlock-drive"
                isChecked={selectedPath === drive.mountPoint}
                onChange={() => onSelectDrive(drive)}
                aria-label={MEDIA.driveLabel(drive.label, drive.mountPoint)}
              />
            </Td>
            <Td dataLabel={MEDIA.drivesTitle}>
              <strong>{drive.label || drive.device}</strong> {drive.transport ? <Label isCompact>{drive.transport.toUpperCase()}</Label> : null}{' '}
              {drive.fsType ? <Label isCompact color="blue">{drive.fsType}</Label> : null} {drive.readOnly ? <Label isCompact status="warning">{MEDIA.readOnly}</Label> : null}
              <div className="airlock-muted">{MEDIA.space(drive.freeBytes, drive.totalBytes)}</div>
            </Td>
            <Td dataLabel={MEDIA.folder} className="airlock-mono">
              {drive.mountPoint}
            </Td>
            {describe ? <Td>{describe(drive)}</Td> : null}
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
}
