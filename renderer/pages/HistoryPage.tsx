import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  Alert,
  Button,
  CodeBlock,
  CodeBlockCode,
  DescriptionList,
  DescriptionListDescription,
  DescriptionListGroup,
  DescriptionListTerm,
  EmptyState,
  EmptyStateBody,
  ExpandableSection,
  Label,
  Modal,
  ModalBody,
  ModalFooter,
  ModalHeader,
  PageSection,
  SearchInput,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr, type ThProps } from '@patternfly/react-table';
import { useCall, type HistoryDetail, type HistoryEntry, type HistoryKind, type IpcError } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { StatusLabel } from '../components/StatusLabel';
import { formatBytes, formatTime, shortDigest, shortId } from '../format';
import { HISTORY, PLAN } from '../messages';

type Column = 'time' | 'kind' | 'setId' | 'status' | 'operator' | 'registry' | 'bytes';
/** Kind and status share a column (the kind filter is above the table), so the table fits 1024 px. */
const COLUMNS: readonly Column[] = ['time', 'setId', 'status', 'operator', 'registry', 'bytes'];

const TITLES: Readonly<Record<Column, string>> = {
  time: HISTORY.colTime,
  kind: HISTORY.colKind,
  setId: HISTORY.colSet,
  status: HISTORY.colStatus,
  operator: HISTORY.colOperator,
  registry: HISTORY.colTarget,
  bytes: HISTORY.colSize,
};

/** Sorts history rows by a column; pure so the table and tests agree. */
export function sortEntries(entries: readonly HistoryEntry[], column: Column, direction: 'asc' | 'desc'): HistoryEntry[] {
  const value = (e: HistoryEntry): string | number => (column === 'bytes' ? (e.bytes ?? -1) : (e[column] ?? ''));
  const sorted = [...entries].sort((a, b) => {
    const x = value(a);
    const y = value(b);
    return typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
  });
  return direction === 'asc' ? sorted : sorted.reverse();
}

/** Percentages of a fixed-layout table: it fits the page at 1024 px whatever the cells hold. */
const WIDTHS: Readonly<Record<Column, 10 | 15 | 20>> = { time: 20, kind: 10, setId: 15, status: 15, operator: 15, registry: 20, bytes: 15 };

type Loaded = { readonly kind: 'loading' } | { readonly kind: 'loaded'; readonly entries: readonly HistoryEntry[] } | { readonly kind: 'failed'; readonly error: IpcError };

export function HistoryPage() {
  const call = useCall();
  const [kind, setKind] = useState<HistoryKind | undefined>(undefined);
  const [text, setText] = useState('');
  const [loaded, setLoaded] = useState<Loaded>({ kind: 'loading' });
  const [sortBy, setSortBy] = useState<{ index: number; direction: 'asc' | 'desc' }>({ index: 0, direction: 'desc' });
  const [detail, setDetail] = useState<{ entry: HistoryEntry; detail?: HistoryDetail; error?: IpcError } | undefined>(undefined);
  const [notice, setNotice] = useState<{ ok: true; path: string } | { ok: false; error: IpcError } | undefined>(undefined);

  const filter = useMemo(() => ({ ...(kind ? { kind } : {}), ...(text.trim() ? { text: text.trim() } : {}) }), [kind, text]);

  useEffect(() => {
    let live = true;
    void call((api) => api.history.list(filter)).then((r) => {
      if (live) setLoaded(r.ok ? { kind: 'loaded', entries: r.value } : { kind: 'failed', error: r.error });
    });
    return () => {
      live = false;
    };
  }, [call, filter]);

  const open = useCallback(
    (entry: HistoryEntry) => {
      setDetail({ entry });
      void call((api) => api.history.detail(entry.id)).then((r) => setDetail(r.ok ? { entry, detail: r.value } : { entry, error: r.error }));
    },
    [call],
  );

  const exportAs = (format: 'csv' | 'json'): void => {
    void call((api) => api.history.export(format, filter)).then((r) => {
      if (!r.ok) setNotice({ ok: false, error: r.error });
      else if (r.value.kind === 'saved') setNotice({ ok: true, path: r.value.path });
    });
  };

  const column = COLUMNS[sortBy.index] ?? 'time';
  const rows = loaded.kind === 'loaded' ? sortEntries(loaded.entries, column, sortBy.direction) : [];
  const sort = (index: number): ThProps['sort'] => ({
    sortBy: { index: sortBy.index, direction: sortBy.direction },
    onSort: (_e, i, direction) => setSortBy({ index: i, direction }),
    columnIndex: index,
  });

  return (
    <PageSection>
      <Title headingLevel="h1">{HISTORY.title}</Title>
      <Toolbar>
        <ToolbarContent>
          <ToolbarItem>
            <SearchInput aria-label={HISTORY.search} placeholder={HISTORY.search} value={text} onChange={(_e, v) => setText(v)} onClear={() => setText('')} />
          </ToolbarItem>
          <ToolbarItem>
            <ToggleGroup aria-label={HISTORY.kindFilterLabel}>
              {([undefined, 'export', 'import', 'verify'] as const).map((k) => (
                <ToggleGroupItem
                  key={k ?? 'all'}
                  text={k === undefined ? HISTORY.kindAll : k === 'export' ? HISTORY.kindExport : k === 'import' ? HISTORY.kindImport : HISTORY.kindVerify}
                  isSelected={kind === k}
                  onChange={() => setKind(k)}
                />
              ))}
            </ToggleGroup>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => exportAs('csv')}>
              {HISTORY.exportCsv}
            </Button>
          </ToolbarItem>
          <ToolbarItem>
            <Button variant="secondary" onClick={() => exportAs('json')}>
              {HISTORY.exportJson}
            </Button>
          </ToolbarItem>
        </ToolbarContent>
      </Toolbar>
      <div aria-live="polite">
        {notice?.ok ? <Alert variant="success" isInline isPlain title={HISTORY.saved(notice.path)} /> : null}
        {notice && !notice.ok ? <ErrorAlert error={notice.error} /> : null}
      </div>
      {loaded.kind === 'failed' ? <ErrorAlert error={loaded.error} /> : null}
      {loaded.kind === 'loaded' && rows.length === 0 ? (
        <EmptyState titleText={filter.kind || filter.text ? HISTORY.noMatch : HISTORY.empty} headingLevel="h2">
          <EmptyStateBody />
        </EmptyState>
      ) : null}
      {rows.length > 0 ? (
        <Table aria-label={HISTORY.tableLabel} variant="compact" className="airlock-fixed-table">
          <Thead>
            <Tr>
              {COLUMNS.map((c, i) => (
                <Th key={c} sort={sort(i)} modifier="wrap" width={WIDTHS[c]}>
                  {TITLES[c]}
                </Th>
              ))}
            </Tr>
          </Thead>
          <Tbody>
            {rows.map((e) => (
              <Tr key={e.id}>
                <Td dataLabel={HISTORY.colTime} className="airlock-nowrap">
                  {formatTime(e.time)}
                </Td>
                <Td dataLabel={HISTORY.colSet} className="airlock-nowrap">
                  <Button variant="link" isInline className="airlock-mono" onClick={() => open(e)} aria-label={HISTORY.detailsFor(e.setId)} title={e.setId}>
                    {shortId(e.setId)}
                  </Button>
                </Td>
                <Td dataLabel={HISTORY.colStatus}>
                  <div>{HISTORY.kind(e.kind)}</div>
                  <StatusLabel status={e.status} />{' '}
                  {e.insecureAccepted ? (
                    <Label isCompact status="warning">
                      {HISTORY.insecure}
                    </Label>
                  ) : null}
                </Td>
                <Td dataLabel={HISTORY.colOperator}>
                  {e.operator}
                  <div className="airlock-muted">{e.host}</div>
                </Td>
                <Td dataLabel={HISTORY.colTarget} className="airlock-mono airlock-break">
                  {e.registry ?? ''}
                </Td>
                <Td dataLabel={HISTORY.colSize}>{e.bytes === undefined ? '' : formatBytes(e.bytes)}</Td>
              </Tr>
            ))}
          </Tbody>
        </Table>
      ) : null}
      <DetailModal detail={detail} onClose={() => setDetail(undefined)} />
    </PageSection>
  );
}

function DetailModal({ detail, onClose }: { readonly detail: { entry: HistoryEntry; detail?: HistoryDetail; error?: IpcError } | undefined; readonly onClose: () => void }) {
  const call = useCall();
  const [receipt, setReceipt] = useState<string | undefined>(undefined);
  if (!detail) return null;
  const { entry } = detail;
  return (
    <Modal isOpen onClose={onClose} variant="large" aria-labelledby="history-detail-title">
      <ModalHeader title={HISTORY.detailsFor(entry.setId)} labelId="history-detail-title" />
      <ModalBody>
        {detail.error ? <ErrorAlert error={detail.error} /> : null}
        {detail.detail ? (
          <>
            <DescriptionList isHorizontal isCompact>
              <DescriptionListGroup>
                <DescriptionListTerm>{HISTORY.colKind}</DescriptionListTerm>
                <DescriptionListDescription>{HISTORY.kind(entry.kind)}</DescriptionListDescription>
              </DescriptionListGroup>
              <DescriptionListGroup>
                <DescriptionListTerm>{HISTORY.colTime}</DescriptionListTerm>
                <DescriptionListDescription>{formatTime(entry.time)}</DescriptionListDescription>
              </DescriptionListGroup>
              <DescriptionListGroup>
                <DescriptionListTerm>{HISTORY.colOperator}</DescriptionListTerm>
                <DescriptionListDescription>{`${entry.operator} @ ${entry.host}`}</DescriptionListDescription>
              </DescriptionListGroup>
              {detail.detail.fields
                .filter((f) => f.value !== '')
                .map((f) => (
                  <DescriptionListGroup key={f.label}>
                    <DescriptionListTerm>{f.label}</DescriptionListTerm>
                    <DescriptionListDescription className="airlock-mono airlock-prewrap">{f.value}</DescriptionListDescription>
                  </DescriptionListGroup>
                ))}
            </DescriptionList>
            {detail.detail.images.length > 0 ? (
              <Table aria-label={PLAN.tableLabel} variant="compact">
                <Thead>
                  <Tr>
                    <Th>{PLAN.colSource}</Th>
                    <Th>{PLAN.colDestination}</Th>
                    <Th>{PLAN.colDigest}</Th>
                    <Th>{PLAN.colStatus}</Th>
                  </Tr>
                </Thead>
                <Tbody>
                  {detail.detail.images.map((i, n) => (
                    <Tr key={n}>
                      <Td className="airlock-mono">{i.source}</Td>
                      <Td className="airlock-mono">{i.destination}</Td>
                      <Td className="airlock-mono" title={i.digest}>
                        {i.digest ? shortDigest(i.digest) : ''}
                      </Td>
                      <Td>
                        <StatusLabel status={i.status} />
                      </Td>
                    </Tr>
                  ))}
                </Tbody>
              </Table>
            ) : null}
            {detail.detail.configYaml ? (
              <ExpandableSection toggleText={HISTORY.config}>
                <CodeBlock>
                  <CodeBlockCode>{detail.detail.configYaml}</CodeBlockCode>
                </CodeBlock>
              </ExpandableSection>
            ) : null}
            {receipt ? <Alert variant="success" isInline isPlain title={HISTORY.saved(receipt)} /> : null}
          </>
        ) : null}
      </ModalBody>
      <ModalFooter>
        {entry.kind === 'export' ? (
          <Button variant="secondary" onClick={() => void call((api) => api.receipts.save({ kind: 'export', setId: entry.setId })).then((r) => r.ok && r.value.kind === 'saved' && setReceipt(r.value.path))}>
            {HISTORY.receipt}
          </Button>
        ) : null}
        <Button variant="primary" onClick={onClose}>
          {HISTORY.close}
        </Button>
      </ModalFooter>
    </Modal>
  );
}
