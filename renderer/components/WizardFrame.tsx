import { useEffect, useRef, type ReactNode } from 'react';
import { WizardFooterWrapper, WizardNav, WizardNavItem } from '@patternfly/react-core';
import styles from '@patternfly/react-styles/css/components/Wizard/wizard';
import { WIZARD } from '../messages';

export interface WizardStepView<S extends string> {
  readonly id: S;
  readonly title: string;
  readonly status?: 'default' | 'error' | 'success';
}

export interface WizardFrameProps<S extends string> {
  /** Names the wizard for screen readers ("Export"). */
  readonly title: string;
  readonly steps: readonly WizardStepView<S>[];
  readonly current: S;
  /** Steps the navigation may jump to; the others are shown disabled. */
  readonly reachable: ReadonlySet<S>;
  readonly onNavigate: (step: S) => void;
  readonly footer: ReactNode;
  readonly children: ReactNode;
}

/**
 * PatternFly's wizard layout (nav, body, footer) driven by our reducer: the reducer decides which
 * step is current and where the operator may go, this only draws it. When the step changes, focus
 * moves to the new step's heading so screen readers announce it.
 */
export function WizardFrame<S extends string>({ title, steps, current, reachable, onNavigate, footer, children }: WizardFrameProps<S>) {
  const main = useRef<HTMLDivElement>(null);
  const currentIndex = steps.findIndex((s) => s.id === current);
  const first = useRef(true);

  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h2')?.focus();
  }, [current]);

  return (
    <div className={`${styles.wizard} airlock-wizard`} aria-label={title} role="region">
      <div className={styles.wizardOuterWrap}>
        <div className={styles.wizardInnerWrap}>
          <WizardNav aria-label={WIZARD.stepsLabel(title)} isExpanded>
            {steps.map((step, index) => (
              <WizardNavItem
                key={step.id}
                id={`${title}-step-${step.id}`}
                stepIndex={index + 1}
                content={step.title}
                isCurrent={step.id === current}
                isVisited={index <= currentIndex}
                isDisabled={step.id !== current && !reachable.has(step.id)}
                status={step.status ?? 'default'}
                onClick={() => onNavigate(step.id)}
              />
            ))}
          </WizardNav>
          <div className={styles.wizardMain} ref={main}>
            <div className={styles.wizardMainBody}>{children}</div>
          </div>
        </div>
        <WizardFooterWrapper>{footer}</WizardFooterWrapper>
      </div>
    </div>
  );
}
