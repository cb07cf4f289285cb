import type { Delivery } from '../../../shared/alerts.ts';
import { deliveryText } from '../../lib/alertsHistory.ts';

export type TestState = { kind: 'sending' } | { kind: 'done'; delivery: Delivery } | { kind: 'error'; message: string };

/** What a "Send test" did: delivered, or the channel's own reason it was not. */
export function TestResultLine({ state }: { state: TestState }) {
  const ok = state.kind === 'done' && state.delivery.ok;
  const failed = state.kind === 'error' || (state.kind === 'done' && !state.delivery.ok);
  return (
    <p className={`channel-result${ok ? ' is-ok' : ''}${failed ? ' is-failed' : ''}`} role="status" data-testid="channel-result" data-ok={state.kind === 'sending' ? undefined : ok}>
      {state.kind === 'sending' ? 'Sending a test message…' : state.kind === 'error' ? `Not sent: ${state.message}` : deliveryText(state.delivery)}
    </p>
  );
}
