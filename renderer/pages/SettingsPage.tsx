import { useCallback, useEffect, useState } from 'react';
import {
  ActionGroup,
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,

  CodeBlock,
  CodeBlockCode,
  Form,
  FormGroup,
  FormHelperText,
  Grid,
  GridItem,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  NumberInput,
  PageSection,
  TextArea,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { Table, Tbody, Td, Th, Thead, Tr } from '@patternfly/react-table';
import { useCall, type AppInfo, type CredentialView, type IpcError, type Settings, type StationKeyView, type TrustedKeyView } from '../api';
import { CopyButton } from '../components/CopyButton';
import { ErrorAlert } from '../components/ErrorAlert';
import { formatTime } from '../format';
import { COMMON, SETTINGS } from '../messages';

function Help({ text, id }: { readonly text: string; readonly id?: string }) {
  return (
    <FormHelperText>
      <HelperText {...(id ? { id } : {})}>
        <HelperTextItem>{text}</HelperTextItem>
      </HelperText>
    </FormHelperText>
  );
}

function NumberField({ id, label, value, min, max, onChange }: { readonly id: string; readonly label: string; readonly value: number; readonly min: number; readonly max: number; readonly onChange: (n: number) => void }) {
  const clamp = (n: number): number => Math.max(min, Math.min(max, Number.isFinite(n) ? Math.round(n) : min));
  return (
    <FormGroup label={label} fieldId={id}>
      <NumberInput
        id={id}
        value={value}
        min={min}
        max={max}
        inputName={id}
        inputAriaLabel={label}
        minusBtnAriaLabel={`${label} −`}
        plusBtnAriaLabel={`${label} +`}
        onMinus={() => onChange(clamp(value - 1))}
        onPlus={() => onChange(clamp(value + 1))}
        onChange={(e) => onChange(clamp(Number((e.target as HTMLInputElement).value)))}
      />
    </FormGroup>
  );
}

function DirectoriesCard() {
  const call = useCall();
  const [settings, setSettings] = useState<Settings | undefined>(undefined);
  const [result, setResult] = useState<{ ok: true } | { ok: false; error: IpcError } | undefined>(undefined);
  useEffect(() => {
    void call((api) => api.settings.get()).then((r) => r.ok && setSettings(r.value));
  }, [call]);
  if (!settings) return null;
  const set = (patch: Partial<Settings>): void => {
    setSettings({ ...settings, ...patch });
    setResult(undefined);
  };
  const chooseRegistriesDir = (): void => {
    void call((api) => api.dialogs.chooseFolder('registries-d')).then((r) => {
      if (r.ok && r.value.kind === 'chosen') set({ registriesDir: r.value.path });
    });
  };
  const save = (): void => {
    void call((api) => api.settings.set(settings)).then((r) => {
      if (r.ok) setSettings(r.value);
      setResult(r.ok ? { ok: true } : { ok: false, error: r.error });
    });
  };
  return (
    <Card>
      <CardTitle component="h2">{SETTINGS.dirs}</CardTitle>
      <CardBody>
        <Form onSubmit={(e) => { e.preventDefault(); save(); }}>
          <FormGroup label={SETTINGS.dataDir} fieldId="settings-data">
            <TextInput id="settings-data" value={settings.dataDir} onChange={(_e, dataDir) => set({ dataDir })} />
            <Help text={SETTINGS.dataDirHelp} />
          </FormGroup>
          <FormGroup label={SETTINGS.cacheDir} fieldId="settings-cache">
            <TextInput id="settings-cache" value={settings.cacheDir} onChange={(_e, cacheDir) => set({ cacheDir })} />
            <Help text={SETTINGS.cacheDirHelp} />
          </FormGroup>
          <FormGroup label={SETTINGS.registriesDir} fieldId="settings-registries-d">
            <InputGroup>
              <InputGroupItem isFill>
                <TextInput
                  id="settings-registries-d"
                  value={settings.registriesDir}
                  placeholder={SETTINGS.registriesDirPlaceholder}
                  aria-describedby="settings-registries-d-help"
                  onChange={(_e, registriesDir) => set({ registriesDir })}
                />
              </InputGroupItem>
              <InputGroupItem>
                <Button variant="control" onClick={chooseRegistriesDir}>
                  {COMMON.browse}
                </Button>
              </InputGroupItem>
              {settings.registriesDir !== '' ? (
                <InputGroupItem>
                  <Button variant="control" onClick={() => set({ registriesDir: '' })}>
                    {SETTINGS.registriesDirDefault}
                  </Button>
                </InputGroupItem>
              ) : null}
            </InputGroup>
            <Help id="settings-registries-d-help" text={SETTINGS.registriesDirHelp} />
          </FormGroup>
          <Grid hasGutter>
            <GridItem span={6}>
              <NumberField id="settings-images" label={SETTINGS.parallelImages} value={settings.parallelImages} min={1} max={32} onChange={(parallelImages) => set({ parallelImages })} />
            </GridItem>
            <GridItem span={6}>
              <NumberField id="settings-layers" label={SETTINGS.parallelLayers} value={settings.parallelLayers} min={1} max={32} onChange={(parallelLayers) => set({ parallelLayers })} />
            </GridItem>
            <GridItem span={6}>
              <NumberField id="settings-retries" label={SETTINGS.retryTimes} value={settings.retryTimes} min={0} max={10} onChange={(retryTimes) => set({ retryTimes })} />
            </GridItem>
            <GridItem span={6}>
              <NumberField id="settings-delay" label={SETTINGS.retryDelay} value={settings.retryDelayMs} min={0} max={60000} onChange={(retryDelayMs) => set({ retryDelayMs })} />
            </GridItem>
          </Grid>
          <FormGroup label={SETTINGS.operator} fieldId="settings-operator">
            <TextInput id="settings-operator" value={settings.operator} onChange={(_e, operator) => set({ operator })} />
            <Help text={SETTINGS.operatorHelp} />
          </FormGroup>
          <ActionGroup>
            <Button variant="primary" type="submit">
              {SETTINGS.save}
            </Button>
          </ActionGroup>
          <div aria-live="polite">
            {result?.ok ? <Alert variant="success" isInline isPlain title={SETTINGS.saved} /> : null}
            {result && !result.ok ? <ErrorAlert error={result.error} /> : null}
          </div>
        </Form>
      </CardBody>
    </Card>
  );
}

function StationKeyCard() {
  const call = useCall();
  const [key, setKey] = useState<StationKeyView | undefined>(undefined);
  const [error, setError] = useState<IpcError | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  useEffect(() => {
    void call((api) => api.keys.station()).then((r) => (r.ok ? setKey(r.value) : setError(r.error)));
  }, [call]);
  return (
    <Card>
      <CardTitle component="h2">{SETTINGS.stationKey}</CardTitle>
      <CardBody>
        <p className="airlock-intro">{SETTINGS.stationKeyHelp}</p>
        {error ? <ErrorAlert error={error} /> : null}
        {key ? (
          <>
            <p>
              <strong>{SETTINGS.fingerprint}:</strong> <span className="airlock-mono" data-testid="station-fingerprint">{key.fingerprint}</span>
            </p>
            <CodeBlock>
              <CodeBlockCode aria-label={SETTINGS.stationKey}>{key.publicKeyPem}</CodeBlockCode>
            </CodeBlock>
            <div className="airlock-toolbar">
              <CopyButton text={key.publicKeyPem} label={SETTINGS.copyKey} />
              <Button variant="secondary" onClick={() => void call((api) => api.keys.exportStation()).then((r) => r.ok && r.value.kind === 'saved' && setSaved(r.value.path))}>
                {SETTINGS.saveKey}
              </Button>
            </div>
            {saved ? <Alert variant="success" isInline isPlain title={saved} /> : null}
          </>
        ) : null}
      </CardBody>
    </Card>
  );
}

function TrustedKeysCard() {
  const call = useCall();
  const [keys, setKeys] = useState<readonly TrustedKeyView[]>([]);
  const [pem, setPem] = useState('');
  const [label, setLabel] = useState('');
  const [result, setResult] = useState<{ ok: true; fingerprint: string } | { ok: false; error: IpcError } | undefined>(undefined);
  const load = useCallback(() => {
    void call((api) => api.keys.listTrusted()).then((r) => r.ok && setKeys(r.value));
  }, [call]);
  useEffect(load, [load]);
  const trust = (): void => {
    void call((api) => api.keys.trust(pem, label)).then((r) => {
      setResult(r.ok ? { ok: true, fingerprint: r.value.fingerprint } : { ok: false, error: r.error });
      if (r.ok) {
        setPem('');
        setLabel('');
        load();
      }
    });
  };
  return (
    <Card>
      <CardTitle component="h2">{SETTINGS.trusted}</CardTitle>
      <CardBody>
        <p className="airlock-intro">{SETTINGS.trustedHelp}</p>
        {keys.length === 0 ? (
          <p className="airlock-muted">{SETTINGS.trustedNone}</p>
        ) : (
          <Table aria-label={SETTINGS.trustedLabel} variant="compact">
            <Thead>
              <Tr>
                <Th>{SETTINGS.colFingerprint}</Th>
                <Th>{SETTINGS.colLabel}</Th>
                <Th>{SETTINGS.colAdded}</Th>
                <Th screenReaderText={SETTINGS.untrust} />
              </Tr>
            </Thead>
            <Tbody>
              {keys.map((k) => (
                <Tr key={k.fingerprint}>
                  <Td className="airlock-mono">{k.fingerprint}</Td>
                  <Td>{k.label}</Td>
                  <Td>{formatTime(k.addedAt)}</Td>
                  <Td isActionCell>
                    <Button variant="link" isDanger isInline aria-label={SETTINGS.untrustKey(k.fingerprint)} onClick={() => void call((api) => api.keys.untrust(k.fingerprint)).then(load)}>
                      {SETTINGS.untrust}
                    </Button>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
        <Title headingLevel="h3" className="airlock-subtitle">
          {SETTINGS.trustNew}
        </Title>
        <Form onSubmit={(e) => { e.preventDefault(); trust(); }}>
          <FormGroup label={SETTINGS.pem} fieldId="trust-pem" isRequired>
            <TextArea id="trust-pem" value={pem} onChange={(_e, v) => setPem(v)} rows={5} className="airlock-mono" resizeOrientation="vertical" />
            <Help text={SETTINGS.pemHelp} />
          </FormGroup>
          <FormGroup label={SETTINGS.label} fieldId="trust-label">
            <TextInput id="trust-label" value={label} onChange={(_e, v) => setLabel(v)} />
            <Help text={SETTINGS.labelHelp} />
          </FormGroup>
          <ActionGroup>
            <Button variant="primary" type="submit" isDisabled={pem.trim() === ''}>
              {SETTINGS.trust}
            </Button>
          </ActionGroup>
          <div aria-live="polite">
            {result?.ok ? <Alert variant="success" isInline isPlain title={SETTINGS.trustedNow(result.fingerprint)} /> : null}
            {result && !result.ok ? <ErrorAlert error={result.error} /> : null}
          </div>
        </Form>
      </CardBody>
    </Card>
  );
}

function CredentialsCard() {
  const call = useCall();
  const [list, setList] = useState<readonly CredentialView[]>([]);
  const load = useCallback(() => {
    void call((api) => api.credentials.list()).then((r) => r.ok && setList(r.value));
  }, [call]);
  useEffect(load, [load]);
  return (
    <Card>
      <CardTitle component="h2">{SETTINGS.credentials}</CardTitle>
      <CardBody>
        {list.length === 0 ? (
          <p className="airlock-muted">{SETTINGS.credentialsNone}</p>
        ) : (
          <Table aria-label={SETTINGS.credentialsLabel} variant="compact">
            <Thead>
              <Tr>
                <Th>{SETTINGS.colRegistry}</Th>
                <Th>{SETTINGS.colUser}</Th>
                <Th>{SETTINGS.colKept}</Th>
                <Th screenReaderText={SETTINGS.forget} />
              </Tr>
            </Thead>
            <Tbody>
              {list.map((c) => (
                <Tr key={c.registry}>
                  <Td className="airlock-mono">{c.registry}</Td>
                  <Td>{c.username}</Td>
                  <Td>{c.persisted ? SETTINGS.keptEncrypted : SETTINGS.keptSession}</Td>
                  <Td isActionCell>
                    <Button variant="link" isDanger isInline aria-label={SETTINGS.forgetFor(c.registry)} onClick={() => void call((api) => api.credentials.forget(c.registry)).then(load)}>
                      {SETTINGS.forget}
                    </Button>
                  </Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </CardBody>
    </Card>
  );
}

export function SettingsPage() {
  const call = useCall();
  const [info, setInfo] = useState<AppInfo | undefined>(undefined);
  useEffect(() => {
    void call((api) => api.app.info()).then((r) => r.ok && setInfo(r.value));
  }, [call]);
  return (
    <PageSection>
      <Title headingLevel="h1">{SETTINGS.title}</Title>
      {info ? <p className="airlock-muted">{SETTINGS.about(info.version, info.hostname)}</p> : null}
      <Grid hasGutter className="airlock-page">
        <GridItem xl={6} span={12}>
          <DirectoriesCard />
        </GridItem>
        <GridItem xl={6} span={12}>
          <StationKeyCard />
        </GridItem>
        <GridItem xl={6} span={12}>
          <TrustedKeysCard />
        </GridItem>
        <GridItem xl={6} span={12}>
          <CredentialsCard />
        </GridItem>
      </Grid>
    </PageSection>
  );
}
