import { useId, useState } from 'react';
import {
  Button,
  Checkbox,
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
} from '@patternfly/react-core';
import { MinusCircleIcon, PlusCircleIcon } from '@patternfly/react-icons';
import { useCall, type IpcError, type ReleaseChannelOffer } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { RELEASES } from '../../messages';
import {
  ARCHITECTURES,
  EMPTY_PLATFORM,
  EMPTY_RELEASE_CHANNEL,
  RELEASE_TYPES,
  withPlatform,
  type ArchitectureForm,
  type ImageSetForm,
  type PlatformForm,
  type ReleaseChannelForm,
} from '../../state/image-set-form';

/** What the update graph offered for one channel: view state, keyed by type, architecture and name. */
type OfferLoad = { readonly kind: 'loading' } | { readonly kind: 'loaded'; readonly offer: ReleaseChannelOffer } | { readonly kind: 'failed'; readonly error: IpcError };

function offerKey(channel: ReleaseChannelForm, architecture: ArchitectureForm): string {
  return `${channel.type}|${architecture}|${channel.name.trim()}`;
}

export interface ReleaseChannelsSectionProps {
  readonly form: ImageSetForm;
  readonly disabled: boolean;
  readonly onChange: (form: ImageSetForm) => void;
}

/** mirror.platform: channels with versions picked from what the update graph offers, shortestPath and graph. */
export function ReleaseChannelsSection({ form, disabled, onChange }: ReleaseChannelsSectionProps) {
  const id = useId();
  const call = useCall();
  const [offers, setOffers] = useState<ReadonlyMap<string, OfferLoad>>(new Map());
  const platform = form.platform;

  const setPlatform = (next: PlatformForm | undefined): void => onChange(withPlatform(form, next));

  const load = async (channel: ReleaseChannelForm, architecture: ArchitectureForm): Promise<void> => {
    const key = offerKey(channel, architecture);
    setOffers((m) => new Map(m).set(key, { kind: 'loading' }));
    const result = await call((api) => api.releases.channel({ channel: channel.name.trim(), type: channel.type, architecture }));
    setOffers((m) => new Map(m).set(key, result.ok ? { kind: 'loaded', offer: result.value } : { kind: 'failed', error: result.error }));
  };

  return (
    <FormGroup label={RELEASES.title} role="group" isStack fieldId={`${id}-arch`}>
      <HelperText>
        <HelperTextItem>{RELEASES.help}</HelperTextItem>
      </HelperText>
      {platform ? (
        <>
          <FormSelect
            id={`${id}-arch`}
            value={platform.architecture}
            aria-label={RELEASES.architecture}
            isDisabled={disabled}
            onChange={(_e, value) => setPlatform({ ...platform, architecture: value as ArchitectureForm })}
          >
            {ARCHITECTURES.map((a) => (
              <FormSelectOption key={a} value={a} label={a} />
            ))}
          </FormSelect>
          {platform.channels.map((channel, index) => {
            const channels = platform.channels;
            const set = (next: ReleaseChannelForm): void => setPlatform({ ...platform, channels: channels.map((c, i) => (i === index ? next : c)) });
            const remove = (): void => {
              const rest = channels.filter((_, i) => i !== index);
              setPlatform(rest.length > 0 ? { ...platform, channels: rest } : undefined);
            };
            return (
              <ChannelRow
                key={index}
                index={index}
                channel={channel}
                offer={offers.get(offerKey(channel, platform.architecture))}
                disabled={disabled}
                onChange={set}
                onRemove={remove}
                onLoad={() => void load(channel, platform.architecture)}
              />
            );
          })}
          <Checkbox id={`${id}-graph`} label={RELEASES.graph} isChecked={platform.graph} isDisabled={disabled} onChange={(_e, checked) => setPlatform({ ...platform, graph: checked })} />
        </>
      ) : null}
      <Button
        variant="link"
        icon={<PlusCircleIcon />}
        isDisabled={disabled}
        isInline
        onClick={() => setPlatform(platform ? { ...platform, channels: [...platform.channels, EMPTY_RELEASE_CHANNEL] } : EMPTY_PLATFORM)}
      >
        {RELEASES.addChannel}
      </Button>
    </FormGroup>
  );
}

function VersionSelect({
  id,
  label,
  value,
  versions,
  disabled,
  onChange,
}: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly versions: readonly string[];
  readonly disabled: boolean;
  readonly onChange: (value: string) => void;
}) {
  return (
    <FormSelect id={id} value={value} aria-label={label} isDisabled={disabled} onChange={(_e, v) => onChange(v)}>
      <FormSelectOption value="" label={RELEASES.noVersion} />
      {versions.map((v) => (
        <FormSelectOption key={v} value={v} label={v} />
      ))}
      {value !== '' && !versions.includes(value) ? <FormSelectOption value={value} label={value} /> : null}
    </FormSelect>
  );
}

function ChannelRow({
  index,
  channel,
  offer,
  disabled,
  onChange,
  onRemove,
  onLoad,
}: {
  readonly index: number;
  readonly channel: ReleaseChannelForm;
  readonly offer: OfferLoad | undefined;
  readonly disabled: boolean;
  readonly onChange: (channel: ReleaseChannelForm) => void;
  readonly onRemove: () => void;
  readonly onLoad: () => void;
}) {
  const id = useId();
  const n = index + 1;
  const versions = offer?.kind === 'loaded' ? offer.offer.versions : [];
  return (
    <div className="airlock-release-channel" role="group" aria-label={RELEASES.channelGroup(n)}>
      <InputGroup>
        <InputGroupItem isFill>
          <TextInput
            id={`${id}-name`}
            value={channel.name}
            placeholder={RELEASES.channelPlaceholder}
            aria-label={RELEASES.channelName(n)}
            isDisabled={disabled}
            onChange={(_e, text) => onChange({ ...channel, name: text })}
          />
        </InputGroupItem>
        <InputGroupItem>
          <FormSelect id={`${id}-type`} value={channel.type} aria-label={RELEASES.type(n)} isDisabled={disabled} onChange={(_e, value) => onChange({ ...channel, type: value === 'okd' ? 'okd' : 'ocp' })}>
            {RELEASE_TYPES.map((t) => (
              <FormSelectOption key={t} value={t} label={t} />
            ))}
          </FormSelect>
        </InputGroupItem>
        <InputGroupItem>
          <Button variant="secondary" isDisabled={disabled || channel.name.trim() === '' || offer?.kind === 'loading'} onClick={onLoad}>
            {RELEASES.load}
          </Button>
        </InputGroupItem>
        <InputGroupItem>
          <Button variant="plain" isDisabled={disabled} aria-label={RELEASES.removeChannel(n)} icon={<MinusCircleIcon />} onClick={onRemove} />
        </InputGroupItem>
      </InputGroup>
      {offer?.kind === 'loading' ? (
        <p className="airlock-muted" aria-live="polite">
          <Spinner size="sm" aria-hidden /> {RELEASES.loading}
        </p>
      ) : null}
      {offer?.kind === 'failed' ? <ErrorAlert error={offer.error} title={RELEASES.loadFailed} onRetry={onLoad} /> : null}
      {offer?.kind === 'loaded' ? (
        <FormHelperText>
          <HelperText>
            <HelperTextItem>{RELEASES.loaded(offer.offer.versions.length, offer.offer.head)}</HelperTextItem>
          </HelperText>
        </FormHelperText>
      ) : null}
      <InputGroup>
        <InputGroupItem isFill>
          <VersionSelect id={`${id}-min`} label={RELEASES.minVersion(n)} value={channel.minVersion} versions={versions} disabled={disabled} onChange={(v) => onChange({ ...channel, minVersion: v })} />
        </InputGroupItem>
        <InputGroupItem isFill>
          <VersionSelect id={`${id}-max`} label={RELEASES.maxVersion(n)} value={channel.maxVersion} versions={versions} disabled={disabled} onChange={(v) => onChange({ ...channel, maxVersion: v })} />
        </InputGroupItem>
      </InputGroup>
      <Checkbox
        id={`${id}-shortest`}
        label={RELEASES.shortestPath}
        isChecked={channel.shortestPath}
        isDisabled={disabled}
        onChange={(_e, checked) => onChange({ ...channel, shortestPath: checked })}
      />
    </div>
  );
}
