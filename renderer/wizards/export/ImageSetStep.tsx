import { useId, useRef, type Dispatch } from 'react';
import {
  Alert,
  Button,
  Form,
  FormGroup,
  FormHelperText,
  Grid,
  GridItem,
  HelperText,
  HelperTextItem,
  InputGroup,
  InputGroupItem,
  List,
  ListItem,
  Spinner,
  Switch,
  TextInput,
  Title,
} from '@patternfly/react-core';
import { FolderOpenIcon, MinusCircleIcon, PlusCircleIcon } from '@patternfly/react-icons';
import type { ConfigProblemView } from '../../api';
import { ErrorAlert } from '../../components/ErrorAlert';
import { YamlEditor } from '../../components/YamlEditor';
import { IMAGE_SET } from '../../messages';
import { hasSomethingToMirror, type ExportAction, type ImageSetDraft } from '../../state/export-wizard';
import { assertNever } from '../../state/assert-never';
import { offsetOfLine, problemsFor, type ImageSetForm } from '../../state/image-set-form';
import { OperatorsSection } from './OperatorsSection';
import { ReleaseChannelsSection } from './ReleaseChannelsSection';

export interface ImageSetStepProps {
  readonly draft: ImageSetDraft;
  readonly dispatch: Dispatch<ExportAction>;
  readonly onOpenFile: () => void;
}

function FieldErrors({ problems, id }: { readonly problems: readonly ConfigProblemView[]; readonly id: string }) {
  if (problems.length === 0) return null;
  return (
    <FormHelperText>
      <HelperText id={id}>
        {problems.map((p, i) => (
          <HelperTextItem key={i} variant="error">
            {`${IMAGE_SET.problemAt(p.line, p.column)}: ${p.message}`}
          </HelperTextItem>
        ))}
      </HelperText>
    </FormHelperText>
  );
}

function ListField({
  field,
  form,
  problems,
  disabled,
  onChange,
}: {
  readonly field: 'additionalImages' | 'blockedImages';
  readonly form: ImageSetForm;
  readonly problems: readonly ConfigProblemView[];
  readonly disabled: boolean;
  readonly onChange: (form: ImageSetForm) => void;
}) {
  const base = useId();
  const rows = form[field];
  const additional = field === 'additionalImages';
  const set = (next: readonly string[]): void => onChange({ ...form, [field]: next });
  return (
    <FormGroup label={additional ? IMAGE_SET.additionalImages : IMAGE_SET.blockedImages} fieldId={`${base}-0`} role="group" isStack>
      <HelperText>
        <HelperTextItem>{additional ? IMAGE_SET.additionalImagesHelp : IMAGE_SET.blockedImagesHelp}</HelperTextItem>
      </HelperText>
      {rows.map((value, row) => {
        const errors = problemsFor(problems, form, { field, row });
        const errorId = `${base}-${row}-errors`;
        return (
          <div key={row}>
            <InputGroup>
              <InputGroupItem isFill>
                <TextInput
                  id={`${base}-${row}`}
                  value={value}
                  isDisabled={disabled}
                  aria-label={additional ? IMAGE_SET.additionalImageLabel(row + 1) : IMAGE_SET.blockedImageLabel(row + 1)}
                  validated={errors.length > 0 ? 'error' : 'default'}
                  aria-describedby={errors.length > 0 ? errorId : undefined}
                  onChange={(_event, text) => set(rows.map((r, i) => (i === row ? text : r)))}
                />
              </InputGroupItem>
              <InputGroupItem>
                <Button
                  variant="plain"
                  isDisabled={disabled || (additional && rows.length === 1)}
                  aria-label={additional ? IMAGE_SET.removeImage(row + 1) : IMAGE_SET.removeBlocked(row + 1)}
                  icon={<MinusCircleIcon />}
                  onClick={() => set(rows.filter((_, i) => i !== row))}
                />
              </InputGroupItem>
            </InputGroup>
            <FieldErrors problems={errors} id={errorId} />
          </div>
        );
      })}
      <Button variant="link" icon={<PlusCircleIcon />} isDisabled={disabled} onClick={() => set([...rows, ''])} isInline>
        {additional ? IMAGE_SET.addImage : IMAGE_SET.addBlocked}
      </Button>
    </FormGroup>
  );
}

export function ImageSetStep({ draft, dispatch, onOpenFile }: ImageSetStepProps) {
  const yamlId = useId();
  const problemsId = useId();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const problems = draft.validation.kind === 'invalid' ? draft.validation.problems : [];
  const form = draft.form;
  const onForm = (next: ImageSetForm): void => dispatch({ type: 'form/changed', form: next });
  const archiveErrors = problemsFor(problems, form, { field: 'archiveSize' });
  const problemLines = new Set(problems.map((p) => p.line));

  const goToLine = (line: number): void => {
    const el = textarea.current;
    if (!el) return;
    const start = offsetOfLine(draft.yaml, line);
    const end = draft.yaml.indexOf('\n', start);
    el.focus();
    el.setSelectionRange(start, end < 0 ? draft.yaml.length : end);
  };

  return (
    <>
      <Title headingLevel="h2" tabIndex={-1}>
        {IMAGE_SET.title}
      </Title>
      <p className="airlock-intro">{IMAGE_SET.intro}</p>
      <div className="airlock-toolbar">
        <Button variant="secondary" icon={<FolderOpenIcon />} onClick={onOpenFile}>
          {IMAGE_SET.openFile}
        </Button>
        {draft.openedFrom ? <span className="airlock-muted">{IMAGE_SET.openedFrom(draft.openedFrom)}</span> : null}
      </div>
      <Grid hasGutter>
        <GridItem xl={6} span={12}>
          <Title headingLevel="h3">{IMAGE_SET.formTitle}</Title>
          {!draft.formInSync ? (
            <Alert variant="info" isInline isPlain title={IMAGE_SET.formReadOnly} />
          ) : null}
          <Form onSubmit={(e) => e.preventDefault()}>
            <ListField field="additionalImages" form={form} problems={problems} disabled={!draft.formInSync} onChange={onForm} />
            <ListField field="blockedImages" form={form} problems={problems} disabled={!draft.formInSync} onChange={onForm} />
            <ReleaseChannelsSection form={form} disabled={!draft.formInSync} onChange={onForm} />
            <OperatorsSection form={form} disabled={!draft.formInSync} tlsVerify={draft.srcTlsVerify} onChange={onForm} />
            <FormGroup label={IMAGE_SET.archiveSize} fieldId={`${yamlId}-archive`}>
              <TextInput
                id={`${yamlId}-archive`}
                value={form.archiveSizeGiB}
                type="text"
                inputMode="numeric"
                isDisabled={!draft.formInSync}
                validated={archiveErrors.length > 0 ? 'error' : 'default'}
                onChange={(_e, text) => onForm({ ...form, archiveSizeGiB: text })}
              />
              <FormHelperText>
                <HelperText>
                  <HelperTextItem>{IMAGE_SET.archiveSizeHelp}</HelperTextItem>
                </HelperText>
              </FormHelperText>
              <FieldErrors problems={archiveErrors} id={`${yamlId}-archive-errors`} />
            </FormGroup>
            <FormGroup fieldId={`${yamlId}-tls`}>
              <Switch
                id={`${yamlId}-tls`}
                label={IMAGE_SET.srcTlsVerify}
                isChecked={draft.srcTlsVerify}
                onChange={(_e, checked) => dispatch({ type: 'tls/changed', verify: checked })}
              />
              <FormHelperText>
                <HelperText>
                  <HelperTextItem>{IMAGE_SET.srcTlsVerifyHelp}</HelperTextItem>
                </HelperText>
              </FormHelperText>
            </FormGroup>
            <FormGroup fieldId={`${yamlId}-signatures`}>
              <Switch
                id={`${yamlId}-signatures`}
                label={IMAGE_SET.carrySignatures}
                isChecked={draft.carrySignatures}
                aria-describedby={`${yamlId}-signatures-help`}
                onChange={(_e, checked) => dispatch({ type: 'signatures/changed', carry: checked })}
              />
              <FormHelperText>
                <HelperText id={`${yamlId}-signatures-help`}>
                  <HelperTextItem>{IMAGE_SET.carrySignaturesHelp}</HelperTextItem>
                </HelperText>
              </FormHelperText>
            </FormGroup>
          </Form>
        </GridItem>
        <GridItem xl={6} span={12}>
          <Title headingLevel="h3">
            <label htmlFor={yamlId}>{IMAGE_SET.yamlTitle}</label>
          </Title>
          <YamlEditor
            id={yamlId}
            label={IMAGE_SET.yamlLabel}
            value={draft.yaml}
            problemLines={problemLines}
            textareaRef={textarea}
            {...(problems.length > 0 ? { describedBy: problemsId } : {})}
            onChange={(yaml) => dispatch({ type: 'yaml/changed', yaml })}
          />
        </GridItem>
      </Grid>
      <div className="airlock-validation" aria-live="polite">
        <ValidationStatus draft={draft} problemsId={problemsId} onGoToLine={goToLine} />
      </div>
    </>
  );
}

function ValidationStatus({ draft, problemsId, onGoToLine }: { readonly draft: ImageSetDraft; readonly problemsId: string; readonly onGoToLine: (line: number) => void }) {
  const v = draft.validation;
  switch (v.kind) {
    case 'idle':
    case 'checking':
      return (
        <p className="airlock-muted">
          <Spinner size="sm" aria-hidden /> {IMAGE_SET.checking}
        </p>
      );
    case 'valid':
      if (v.summary.unsupported.length > 0) return <Alert variant="warning" isInline title={IMAGE_SET.unsupported(v.summary.unsupported)} />;
      if (!hasSomethingToMirror(v.summary)) return <Alert variant="info" isInline title={IMAGE_SET.nothingToMirror} />;
      return (
        <Alert
          variant="success"
          isInline
          isPlain
          title={IMAGE_SET.valid(v.summary.additionalImages.length, v.summary.blockedImages.length) + IMAGE_SET.validMore(v.summary.operatorCatalogs ?? 0, v.summary.releaseChannels ?? 0)}
        />
      );
    case 'invalid':
      return (
        <Alert variant="danger" isInline title={IMAGE_SET.problemsTitle(v.problems.length)}>
          <List id={problemsId} className="airlock-problems">
            {v.problems.map((p, i) => (
              <ListItem key={i}>
                <Button variant="link" isInline onClick={() => onGoToLine(p.line)} aria-label={`${IMAGE_SET.goToLine(p.line)}: ${p.message}`}>
                  {IMAGE_SET.problemAt(p.line, p.column)}
                </Button>
                {`: ${p.path ? `${p.path}: ` : ''}${p.message}`}
                {p.hint ? <div className="airlock-muted">{p.hint}</div> : null}
              </ListItem>
            ))}
          </List>
        </Alert>
      );
    case 'error':
      return <ErrorAlert error={v.error} />;
    default:
      return assertNever(v);
  }
}
