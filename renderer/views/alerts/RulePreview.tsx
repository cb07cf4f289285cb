// "Would have fired 3 times in the last 30 days": the core replays the rule over stored history. Debounced, so
// typing an amount asks once, and only for a rule that passes validation.
import { useEffect, useState } from 'react';
import type { AlertPreview, SpendbarApi } from '../../../shared/api.ts';
import { formatTime, previewText } from '../../lib/alertsHistory.ts';

export const PREVIEW_DAYS = 30;
export const PREVIEW_DEBOUNCE_MS = 400;

type State = { kind: 'invalid' } | { kind: 'loading' } | { kind: 'ready'; preview: AlertPreview } | { kind: 'error'; message: string };

export function RulePreview({ api, rule, valid }: { api: SpendbarApi; rule: Record<string, unknown>; valid: boolean }) {
  const [state, setState] = useState<State>(valid ? { kind: 'loading' } : { kind: 'invalid' });
  const key = JSON.stringify(rule);

  useEffect(() => {
    if (!valid) {
      setState({ kind: 'invalid' });
      return;
    }
    setState((s) => (s.kind === 'ready' ? s : { kind: 'loading' }));
    let cancelled = false;
    const timer = setTimeout(() => {
      setState({ kind: 'loading' });
      api.previewAlertRule(JSON.parse(key) as unknown, PREVIEW_DAYS).then(
        (preview) => {
          if (!cancelled) setState({ kind: 'ready', preview });
        },
        (err: unknown) => {
          if (!cancelled) setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
        },
      );
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, key, valid]);

  return (
    <div className={`rule-preview rule-preview-${state.kind}`} data-testid="rule-preview" data-state={state.kind} data-fires={state.kind === 'ready' ? state.preview.fires : undefined} aria-live="polite">
      <span className="rule-preview-label">Preview</span>{' '}
      {state.kind === 'invalid' && <span className="muted">Fix the rule to see how often it would have fired.</span>}
      {state.kind === 'loading' && <span className="muted">Replaying the last {PREVIEW_DAYS} days…</span>}
      {state.kind === 'error' && <span className="error-text">{state.message}</span>}
      {state.kind === 'ready' && (
        <>
          <strong data-testid="rule-preview-text">{previewText(state.preview)}</strong>
          {state.preview.times.length > 0 && (
            <span className="muted small">
              {' '}
              {state.preview.times.length > 1 ? 'Latest: ' : 'On '}
              {formatTime(Math.max(...state.preview.times))}
            </span>
          )}
        </>
      )}
    </div>
  );
}
