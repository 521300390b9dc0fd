import { useId, useState } from 'react';
import {
  Button,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  Spinner,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { MinusCircleIcon, PlusCircleIcon } from '@patternfly/react-icons';
import { useCall, type CatalogPackageView, type CatalogSummaryView, type IpcError } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { OPERATORS } from '../../messages';
import { EMPTY_PACKAGE, withOperators, type ImageSetForm, type OperatorCatalogForm, type OperatorPackageForm } from '../../state/image-set-form';

/** What the pickers know of one catalog: view state only, keyed by the reference it was read from. */
type CatalogLoad =
  | { readonly kind: 'loading' }
  | { readonly kind: 'loaded'; readonly summary: CatalogSummaryView }
  | { readonly kind: 'failed'; readonly error: IpcError };

export interface OperatorsSectionProps {
  readonly form: ImageSetForm;
  readonly disabled: boolean;
  /** The source TLS choice of the form, used to read registry catalogs. */
  readonly tlsVerify: boolean;
  readonly onChange: (form: ImageSetForm) => void;
}

/** mirror.operators: catalogs, their packages picked from what the catalog holds, a channel and a version range each. */
export function OperatorsSection({ form, disabled, tlsVerify, onChange }: OperatorsSectionProps) {
  const call = useCall();
  const [loads, setLoads] = useState<ReadonlyMap<string, CatalogLoad>>(new Map());
  const catalogs = form.operators ?? [];

  const setCatalogs = (next: readonly OperatorCatalogForm[]): void => onChange(withOperators(form, next));
  const setCatalog = (index: number, next: OperatorCatalogForm): void => setCatalogs(catalogs.map((c, i) => (i === index ? next : c)));

  const load = async (catalog: string): Promise<void> => {
    const key = catalog.trim();
    setLoads((m) => new Map(m).set(key, { kind: 'loading' }));
    const result = await call((api) => api.catalogs.summary({ catalog: key, tlsVerify }));
    setLoads((m) => new Map(m).set(key, result.ok ? { kind: 'loaded', summary: result.value } : { kind: 'failed', error: result.error }));
  };

  return (
    <FormGroup label={OPERATORS.title} role="group" isStack fieldId="airlock-operators">
      <HelperText>
        <HelperTextItem>{OPERATORS.help}</HelperTextItem>
      </HelperText>
      {catalogs.map((catalog, index) => (
        <CatalogEditor
          key={index}
          index={index}
          catalog={catalog}
          load={loads.get(catalog.catalog.trim())}
          disabled={disabled}
          onChange={(next) => setCatalog(index, next)}
          onRemove={() => setCatalogs(catalogs.filter((_, i) => i !== index))}
          onLoad={() => void load(catalog.catalog)}
        />
      ))}
      <Button variant="link" icon={<PlusCircleIcon />} isDisabled={disabled} isInline onClick={() => setCatalogs([...catalogs, { catalog: '', packages: [] }])}>
        {OPERATORS.addCatalog}
      </Button>
    </FormGroup>
  );
}

function CatalogEditor({
  index,
  catalog,
  load,
  disabled,
  onChange,
  onRemove,
  onLoad,
}: {
  readonly index: number;
  readonly catalog: OperatorCatalogForm;
  readonly load: CatalogLoad | undefined;
  readonly disabled: boolean;
  readonly onChange: (catalog: OperatorCatalogForm) => void;
  readonly onRemove: () => void;
  readonly onLoad: () => void;
}) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const [picked, setPicked] = useState('');
  const n = index + 1;
  const summary = load?.kind === 'loaded' ? load.summary : undefined;
  const chosen = new Set(catalog.packages.map((p) => p.name));
  const offered = (summary?.packages ?? []).filter((p) => !chosen.has(p.name) && p.name.toLowerCase().includes(filter.trim().toLowerCase()));
  const selected = offered.some((p) => p.name === picked) ? picked : (offered[0]?.name ?? '');
  const setPackages = (packages: readonly OperatorPackageForm[]): void => onChange({ ...catalog, packages });

  return (
    <div className="airlock-catalog" role="group" aria-label={OPERATORS.catalogGroup(n)}>
      <InputGroup>
        <InputGroupItem isFill>
          <TextInput
            id={`${id}-catalog`}
            value={catalog.catalog}
            isDisabled={disabled}
            aria-label={OPERATORS.catalogLabel(n)}
            aria-describedby={`${id}-catalog-help`}
            onChange={(_e, text) => onChange({ ...catalog, catalog: text })}
          />
        </InputGroupItem>
        <InputGroupItem>
          <Button variant="secondary" isDisabled={disabled || catalog.catalog.trim() === '' || load?.kind === 'loading'} onClick={onLoad}>
            {OPERATORS.load}
          </Button>
        </InputGroupItem>
        <InputGroupItem>
          <Button variant="plain" isDisabled={disabled} aria-label={OPERATORS.removeCatalog(n)} icon={<MinusCircleIcon />} onClick={onRemove} />
        </InputGroupItem>
      </InputGroup>
      <FormHelperText>
        <HelperText id={`${id}-catalog-help`}>
          <HelperTextItem>{summary ? OPERATORS.loaded(summary.packages.length, summary.truncated) : OPERATORS.catalogHelp}</HelperTextItem>
        </HelperText>
      </FormHelperText>
      {load?.kind === 'loading' ? (
        <p className="airlock-muted" aria-live="polite">
          <Spinner size="sm" aria-hidden /> {OPERATORS.loading}
        </p>
      ) : null}
      {load?.kind === 'failed' ? <ErrorAlert error={load.error} title={OPERATORS.loadFailed} onRetry={onLoad} /> : null}
      {summary ? (
        <InputGroup>
          <InputGroupItem isFill>
            <TextInput
              id={`${id}-filter`}
              type="search"
              value={filter}
              placeholder={OPERATORS.filterPlaceholder}
              aria-label={OPERATORS.filterLabel(n)}
              isDisabled={disabled}
              onChange={(_e, text) => setFilter(text)}
            />
          </InputGroupItem>
          <InputGroupItem isFill>
            <FormSelect id={`${id}-package`} value={selected} aria-label={OPERATORS.packageSelect(n)} isDisabled={disabled || offered.length === 0} onChange={(_e, value) => setPicked(value)}>
              {offered.length === 0 ? <FormSelectOption value="" label={OPERATORS.noMatch} isPlaceholder /> : null}
              {offered.map((p) => (
                <FormSelectOption key={p.name} value={p.name} label={p.name} />
              ))}
            </FormSelect>
          </InputGroupItem>
          <InputGroupItem>
            <Button
              variant="secondary"
              icon={<PlusCircleIcon />}
              isDisabled={disabled || selected === ''}
              onClick={() => {
                setPackages([...catalog.packages, { ...EMPTY_PACKAGE, name: selected }]);
                setPicked('');
              }}
            >
              {OPERATORS.addPackage}
            </Button>
          </InputGroupItem>
        </InputGroup>
      ) : null}
      {catalog.packages.map((pkg, row) => (
        <PackageRow
          key={`${row}-${pkg.name}`}
          pkg={pkg}
          known={summary?.packages.find((p) => p.name === pkg.name)}
          disabled={disabled}
          onChange={(next) => setPackages(catalog.packages.map((p, i) => (i === row ? next : p)))}
          onRemove={() => setPackages(catalog.packages.filter((_, i) => i !== row))}
        />
      ))}
    </div>
  );
}

function PackageRow({
  pkg,
  known,
  disabled,
  onChange,
  onRemove,
}: {
  readonly pkg: OperatorPackageForm;
  readonly known: CatalogPackageView | undefined;
  readonly disabled: boolean;
  readonly onChange: (pkg: OperatorPackageForm) => void;
  readonly onRemove: () => void;
}) {
  const id = useId();
  const channels = known?.channels ?? [];
  const listed = channels.some((c) => c.name === pkg.channel) || pkg.channel === '';
  const channel = channels.find((c) => c.name === pkg.channel);
  const chooseChannel = (name: string): void => {
    // oc-mirror needs defaultChannel when the filter leaves the package's default channel out.
    const defaultChannel = name !== '' && known?.defaultChannel !== undefined && known.defaultChannel !== name ? name : '';
    onChange({ ...pkg, channel: name, defaultChannel });
  };
  return (
    <div className="airlock-package" role="group" aria-label={OPERATORS.packageGroup(pkg.name)}>
      <Title headingLevel="h4">{pkg.name}</Title>
      <InputGroup>
        <InputGroupItem isFill>
          <FormSelect id={`${id}-channel`} value={pkg.channel} aria-label={OPERATORS.channel(pkg.name)} isDisabled={disabled} onChange={(_e, value) => chooseChannel(value)}>
            <FormSelectOption value="" label={OPERATORS.allChannels} />
            {channels.map((c) => (
              <FormSelectOption key={c.name} value={c.name} label={OPERATORS.channelOption(c.name, c.headVersion, c.minVersion, c.maxVersion, c.name === known?.defaultChannel)} />
            ))}
            {listed ? null : <FormSelectOption value={pkg.channel} label={pkg.channel} />}
          </FormSelect>
        </InputGroupItem>
        <InputGroupItem>
          <TextInput
            id={`${id}-min`}
            value={pkg.minVersion}
            placeholder={channel?.minVersion ?? ''}
            aria-label={OPERATORS.minVersion(pkg.name)}
            isDisabled={disabled}
            onChange={(_e, text) => onChange({ ...pkg, minVersion: text })}
          />
        </InputGroupItem>
        <InputGroupItem>
          <TextInput
            id={`${id}-max`}
            value={pkg.maxVersion}
            placeholder={channel?.maxVersion ?? ''}
            aria-label={OPERATORS.maxVersion(pkg.name)}
            isDisabled={disabled}
            onChange={(_e, text) => onChange({ ...pkg, maxVersion: text })}
          />
        </InputGroupItem>
        <InputGroupItem>
          <Button variant="plain" isDisabled={disabled} aria-label={OPERATORS.removePackage(pkg.name)} icon={<MinusCircleIcon />} onClick={onRemove} />
        </InputGroupItem>
      </InputGroup>
    </div>
  );
}
