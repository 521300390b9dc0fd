import { useMemo, useRef, type RefObject } from 'react';
import { IMAGE_SET } from '../messages';

export interface YamlEditorProps {
  readonly id: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  /** 1-based lines that have a problem; they are marked in the gutter. */
  readonly problemLines: ReadonlySet<number>;
  readonly describedBy?: string;
  readonly textareaRef?: RefObject<HTMLTextAreaElement | null>;
  readonly label: string;
}

/** A plain, accessible YAML text area with line numbers; problem lines are marked beside it. */
export function YamlEditor({ id, value, onChange, problemLines, describedBy, textareaRef, label }: YamlEditorProps) {
  const gutter = useRef<HTMLDivElement>(null);
  const lines = useMemo(() => value.split('\n').length, [value]);
  return (
    <div className="airlock-yaml">
      <div className="airlock-yaml-gutter" aria-hidden="true" ref={gutter}>
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={problemLines.has(i + 1) ? 'airlock-yaml-problem' : undefined} title={problemLines.has(i + 1) ? IMAGE_SET.lineHasProblem : undefined}>
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        id={id}
        ref={textareaRef}
        className="airlock-yaml-text"
        value={value}
        aria-label={label}
        aria-invalid={problemLines.size > 0}
        aria-describedby={describedBy}
        spellCheck={false}
        autoCapitalize="off"
        autoComplete="off"
        wrap="off"
        rows={Math.max(14, Math.min(lines + 1, 30))}
        onChange={(event) => onChange(event.target.value)}
        onScroll={(event) => {
          if (gutter.current) gutter.current.scrollTop = event.currentTarget.scrollTop;
        }}
      />
    </div>
  );
}
