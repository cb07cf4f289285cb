// The Estimate view: paste a prompt (text or a messages JSON), pick models, and see the input tokens, the cost range
// (input only … input + max output) and whether it fits each model's context window, cheapest first. Everything is
// computed by the core (estimateCost); this view only displays it.
import { useMemo, useState, type FormEvent } from 'react';
import {
  FIT_LABELS,
  formatEstimateCost,
  MAX_ESTIMATE_BYTES,
  MAX_ESTIMATE_MODELS,
  type EstimateFormat,
  type EstimateResult,
  type EstimateRow,
} from '../../shared/estimate.ts';
import { formatCount } from '../lib/format.ts';
import { useLive } from '../state/live.tsx';

const MODELS_FROM: Record<EstimateResult['modelsFrom'], string> = {
  caller: 'the models you picked',
  'used-30-days': 'the models your accounts used in the last 30 days',
  default: 'a default list (no usage in the last 30 days)',
};

const FORMATS: Record<EstimateResult['format'], string> = { text: 'Plain text', 'openai-messages': 'OpenAI messages', 'anthropic-messages': 'Anthropic messages' };

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Rows split into blocks: one per currency (never compared with each other), then unpriced and unknown. */
function blocks(rows: EstimateRow[]): { title: string | null; rows: EstimateRow[] }[] {
  const out = new Map<string, EstimateRow[]>();
  for (const r of rows) {
    const key = r.cost ? r.cost.max.currency : r.status;
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  const priced = [...out.keys()].filter((k) => k !== 'unpriced' && k !== 'unknown');
  return [...out].map(([key, list]) => ({
    title: key === 'unpriced' ? 'Unpriced' : key === 'unknown' ? 'Unknown models' : priced.length > 1 ? `Priced in ${key}` : null,
    rows: list,
  }));
}

function RowView({ r }: { r: EstimateRow }) {
  return (
    <tr data-testid="estimate-row" data-model={r.model} data-status={r.status}>
      <th scope="row" style={{ whiteSpace: 'normal', minWidth: '12em', overflowWrap: 'anywhere' }}>
        {r.model}
        {r.message && <div className="muted small estimate-message">{r.message}</div>}
      </th>
      <td className="num">
        {r.inputTokens === null ? '—' : formatCount(r.inputTokens)}{' '}
        {r.method && (
          <span className={`badge ${r.method === 'exact' ? 'badge-info' : 'badge-warn'}`} title={r.methodNote}>
            {r.method}
          </span>
        )}
      </td>
      <td className="num" data-testid="estimate-cost">
        {r.status === 'unknown' ? 'unknown model' : r.cost ? `${formatEstimateCost(r.cost.min)} … ${formatEstimateCost(r.cost.max)}` : 'unpriced'}
      </td>
      <td>
        {r.contextWindow === null ? '—' : formatCount(r.contextWindow)}{' '}
        {r.status !== 'unknown' && (
          <span className={`badge ${r.fit === 'fits' ? '' : r.fit === 'too-long' ? 'badge-danger' : 'badge-warn'}`} data-testid="estimate-fit">
            {FIT_LABELS[r.fit]}
          </span>
        )}
      </td>
      <td className="muted small">{r.observed ? `${r.observed.ratio.toFixed(2)} (${formatCount(r.observed.requests)} req.)` : '—'}</td>
    </tr>
  );
}

function Result({ result }: { result: EstimateResult }) {
  const methods = useMemo(() => [...new Map(result.rows.filter((r) => r.methodNote).map((r) => [r.family, r.methodNote]))], [result]);
  return (
    <div className="card" data-testid="estimate-result">
      <p>
        {FORMATS[result.format]}
        {result.format !== 'text' && `, ${result.messages} message${result.messages === 1 ? '' : 's'}`}, {formatCount(result.chars)} characters counted; max
        output {formatCount(result.maxOutput)} tokens ({result.maxOutputFrom === 'default' ? 'default' : result.maxOutputFrom === 'request' ? "the request's max tokens" : 'yours'}). Models:{' '}
        {MODELS_FROM[result.modelsFrom]}.
      </p>
      {result.notes.length > 0 && (
        <ul className="notes" data-testid="estimate-notes">
          {result.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
      <div className="table-scroll">
        <table className="breakdown" data-testid="estimate-table">
          <caption className="visually-hidden">Estimated input tokens and cost per model, cheapest first</caption>
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className="num">Input tokens</th>
              <th scope="col" className="num">Cost: input … + max output</th>
              <th scope="col">Context window</th>
              <th scope="col" title="Spendbar's estimate ÷ the provider's input tokens, over requests the metering proxy saw">Observed ratio</th>
            </tr>
          </thead>
          {blocks(result.rows).map((b) => (
            <tbody key={b.title ?? 'priced'}>
              {b.title && (
                <tr>
                  <th colSpan={5} scope="rowgroup" className="muted small">
                    {b.title}
                  </th>
                </tr>
              )}
              {b.rows.map((r) => (
                <RowView key={r.model} r={r} />
              ))}
            </tbody>
          ))}
        </table>
      </div>
      <p className="muted small" data-testid="estimate-source">
        Prices: {result.priceSource.name}, published {result.priceSource.date}, list prices in {result.priceSource.currency}.
      </p>
      {methods.length > 0 && (
        <ul className="notes small" data-testid="estimate-methods">
          {methods.map(([family, note]) => (
            <li key={family}>
              <strong>{family}</strong>: {note}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function Estimate() {
  const { api } = useLive();
  const [input, setInput] = useState('');
  const [format, setFormat] = useState<EstimateFormat>('auto');
  const [maxOutput, setMaxOutput] = useState('');
  // null = let the core choose (the models used in the last 30 days); a list once the user picks.
  const [picked, setPicked] = useState<string[] | null>(null);
  const [offered, setOffered] = useState<string[]>([]);
  const [adding, setAdding] = useState('');
  const [result, setResult] = useState<EstimateResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const bytes = useMemo(() => utf8Bytes(input), [input]);
  const tooBig = bytes > MAX_ESTIMATE_BYTES;

  const run = async (models: string[] | null) => {
    setBusy(true);
    setError(null);
    try {
      const max = maxOutput.trim() === '' ? undefined : Number(maxOutput);
      const r = await api.estimateCost({ input, format, ...(models ? { models } : {}), ...(max !== undefined ? { maxOutput: max } : {}) });
      setResult(r);
      setOffered((o) => [...new Set([...o, ...r.rows.map((x) => x.model)])]);
      if (!models) setPicked(r.rows.map((x) => x.model));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(picked && picked.length ? picked : null);
  };

  const toggle = (m: string) => setPicked((p) => ((p ?? []).includes(m) ? (p ?? []).filter((x) => x !== m) : [...(p ?? []), m]));
  const add = () => {
    const names = adding.split(',').map((s) => s.trim()).filter(Boolean);
    if (!names.length) return;
    setOffered((o) => [...new Set([...o, ...names])]);
    setPicked((p) => [...new Set([...(p ?? []), ...names])]);
    setAdding('');
  };

  return (
    <section aria-labelledby="estimate-title" className="usage">
      <div className="section-head">
        <h2 id="estimate-title">Estimate</h2>
        <span className="muted small">What a prompt will cost before you send it, on each of your models.</span>
      </div>
      <form className="card" onSubmit={submit} data-testid="estimate-form">
        <label className="field" htmlFor="estimate-input">
          Prompt: plain text, or an OpenAI / Anthropic request or messages JSON
        </label>
        <textarea
          id="estimate-input"
          data-testid="estimate-input"
          rows={8}
          style={{ width: '100%', font: 'inherit', fontFamily: 'ui-monospace, monospace', boxSizing: 'border-box' }}
          value={input}
          aria-invalid={tooBig}
          aria-describedby="estimate-size"
          onChange={(e) => setInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) submit(e);
          }}
        />
        <p id="estimate-size" className={`small ${tooBig ? 'error-text' : 'muted'}`}>
          {formatCount(bytes)} of {formatCount(MAX_ESTIMATE_BYTES)} bytes{tooBig ? ': too long to estimate at once, split it' : ''}
        </p>
        <div className="filters">
          <label>
            Read as
            <select value={format} onChange={(e) => setFormat(e.target.value as EstimateFormat)} data-testid="estimate-format">
              <option value="auto">detect</option>
              <option value="text">plain text</option>
              <option value="messages">messages JSON</option>
            </select>
          </label>
          <label>
            Max output tokens
            <input type="number" min={0} inputMode="numeric" placeholder="request's, or 4096" value={maxOutput} onChange={(e) => setMaxOutput(e.target.value)} data-testid="estimate-max-output" />
          </label>
          <label>
            Add models (comma-separated)
            <input
              type="text"
              value={adding}
              placeholder="gpt-4o, claude-sonnet-4-5"
              onChange={(e) => setAdding(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  add();
                }
              }}
              data-testid="estimate-add-model"
            />
          </label>
          <div className="filter-actions">
            <button type="button" className="btn" onClick={add}>
              Add
            </button>
            <button type="submit" className="btn btn-primary" disabled={busy || tooBig || input.trim() === ''} data-testid="estimate-run">
              {busy ? 'Estimating…' : 'Estimate'}
            </button>
          </div>
        </div>
        <fieldset className="estimate-models" style={{ border: 0, padding: 0, margin: '8px 0 0' }}>
          <legend className="small muted">
            Models {picked === null ? '(the ones your accounts used in the last 30 days, until you pick)' : `(${picked.length} of at most ${MAX_ESTIMATE_MODELS})`}
          </legend>
          <div className="badges" style={{ justifyContent: 'flex-start' }}>
            {offered.map((m) => (
              <label key={m} className="badge" style={{ display: 'inline-flex', gap: 4, alignItems: 'center', cursor: 'pointer' }}>
                <input type="checkbox" checked={picked?.includes(m) ?? false} onChange={() => toggle(m)} style={{ minHeight: 0 }} data-testid="estimate-model-toggle" data-model={m} />
                {m}
              </label>
            ))}
          </div>
        </fieldset>
        {error && (
          <p className="error-text" role="alert" data-testid="estimate-error">
            {error}
          </p>
        )}
      </form>
      {result && <Result result={result} />}
    </section>
  );
}
