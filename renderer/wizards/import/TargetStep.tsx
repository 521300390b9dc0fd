import { useId } from 'react';
import {
  Alert,
  Button,
  Checkbox,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  Switch,
  TextInput,
  Title,
} from '@patternfly/react-core';
import type { CredentialView } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { COMMON, TARGET } from '../../messages';
import { isValidTarget, type ConnectionState, type TargetForm } from '../../state/import-wizard';

export interface TargetStepProps {
  readonly target: TargetForm;
  readonly connection: ConnectionState;
  /** Credentials main already holds for the target's registry (never the password). */
  readonly saved: CredentialView | undefined;
  readonly canPersist: boolean;
  readonly onChange: (patch: Partial<TargetForm>) => void;
  readonly onCarrySignatures: (carry: boolean) => void;
  readonly onTest: () => void;
  readonly onChooseCa: () => void;
}

function Help({ text, variant = 'default', id }: { readonly text: string; readonly variant?: 'default' | 'error'; readonly id?: string }) {
  return (
    <FormHelperText>
      <HelperText {...(id ? { id } : {})}>
        <HelperTextItem variant={variant}>{text}</HelperTextItem>
      </HelperText>
    </FormHelperText>
  );
}

export function TargetStep({ target, connection, saved, canPersist, onChange, onCarrySignatures, onTest, onChooseCa }: TargetStepProps) {
  const id = useId();
  const invalid = target.registry.trim() !== '' && !isValidTarget(target.registry);
  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {TARGET.title}
      </Title>
      <Form onSubmit={(e) => e.preventDefault()} className="airlock-narrow-form">
        <FormGroup label={TARGET.registry} isRequired fieldId={`${id}-registry`}>
          <TextInput
            id={`${id}-registry`}
            value={target.registry}
            isRequired
            validated={invalid ? 'error' : 'default'}
            aria-describedby={`${id}-registry-help`}
            onChange={(_e, registry) => onChange({ registry })}
          />
          <Help id={`${id}-registry-help`} text={invalid ? TARGET.registryInvalid : TARGET.registryHelp} variant={invalid ? 'error' : 'default'} />
        </FormGroup>
        <FormGroup label={TARGET.username} fieldId={`${id}-user`}>
          <TextInput id={`${id}-user`} value={target.username} autoComplete="off" onChange={(_e, username) => onChange({ username })} />
        </FormGroup>
        <FormGroup label={TARGET.password} fieldId={`${id}-password`}>
          <TextInput id={`${id}-password`} type="password" value={target.password} autoComplete="off" onChange={(_e, password) => onChange({ password })} />
          {saved ? <Help text={TARGET.passwordKept} /> : null}
        </FormGroup>
        <FormGroup fieldId={`${id}-remember`}>
          <Checkbox
            id={`${id}-remember`}
            label={TARGET.remember}
            isChecked={target.remember && canPersist}
            isDisabled={!canPersist}
            onChange={(_e, remember) => onChange({ remember })}
          />
          {!canPersist ? <Help text={TARGET.rememberUnavailable} /> : null}
        </FormGroup>
        <FormGroup fieldId={`${id}-tls`}>
          <Switch id={`${id}-tls`} label={TARGET.tlsVerify} isChecked={target.tlsVerify} onChange={(_e, tlsVerify) => onChange({ tlsVerify })} />
        </FormGroup>
        <FormGroup fieldId={`${id}-signatures`}>
          <Switch
            id={`${id}-signatures`}
            label={TARGET.carrySignatures}
            isChecked={target.carrySignatures}
            aria-describedby={`${id}-signatures-help`}
            onChange={(_e, carry) => onCarrySignatures(carry)}
          />
          <Help id={`${id}-signatures-help`} text={TARGET.carrySignaturesHelp} />
        </FormGroup>
        <FormGroup label={TARGET.caFile} fieldId={`${id}-ca`}>
          <InputGroup>
            <InputGroupItem isFill>
              <TextInput id={`${id}-ca`} value={target.caFile ?? TARGET.caFileNone} readOnlyVariant="default" aria-label={TARGET.caFile} />
            </InputGroupItem>
            <InputGroupItem>
              <Button variant="control" onClick={onChooseCa}>
                {COMMON.browse}
              </Button>
            </InputGroupItem>
            {target.caFile ? (
              <InputGroupItem>
                <Button variant="control" onClick={() => onChange({ caFile: undefined })}>
                  {TARGET.clearCa}
                </Button>
              </InputGroupItem>
            ) : null}
          </InputGroup>
        </FormGroup>
        <div>
          <Button variant="secondary" onClick={onTest} isDisabled={!isValidTarget(target.registry) || connection.kind === 'testing'} isLoading={connection.kind === 'testing'}>
            {connection.kind === 'testing' ? TARGET.testing : TARGET.test}
          </Button>
        </div>
        <div aria-live="polite">
          {connection.kind === 'ok' ? <Alert variant="success" isInline isPlain title={TARGET.ok(connection.authenticated)} /> : null}
          {connection.kind === 'failed' ? <ErrorAlert error={connection.error} /> : null}
        </div>
      </Form>
    </>
  );
}
