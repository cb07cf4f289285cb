import { useState } from 'react';
import type { SeriesQuery, SeriesResult, UsageTotals } from '../../shared/domain.ts';
import type { SpendbarApi } from '../../shared/api.ts';
import { bucketWords } from '../lib/chartData.ts';
import { buildUsageRows, downloadText, EXPORT_METRICS, exportFileName, usageCsv, usageJson } from '../lib/export.ts';
import { ALL, type TimeRange, type UsageFilter } from '../lib/period.ts';

export interface ExportProps {
  api: SpendbarApi;
  /** The trend chart's query minus its metric: the export asks for every metric with the same filter. */
  query: Omit<SeriesQuery, 'metric'> | null;
  range: TimeRange | null;
  filter: UsageFilter;
  groupBy: 'model' | 'key';
  breakdown: readonly UsageTotals[];
}

export function ExportButtons({ api, query, range, filter, groupBy, breakdown }: ExportProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (format: 'csv' | 'json') => {
    if (!query || !range) return;
    setBusy(true);
    setError(null);
    try {
      const results = await Promise.all(EXPORT_METRICS.map((metric) => api.querySeries({ ...query, metric })));
      const rows = buildUsageRows(Object.fromEntries(EXPORT_METRICS.map((m, i) => [m, results[i] as SeriesResult])));
      // What the chart shows: "day", or "2 days" when the core merged buckets to fit it.
      const bucket = bucketWords(results[0]?.bucket ?? query.bucket, results[0]?.span ?? 1);
      if (format === 'csv') {
        downloadText(usageCsv(rows, groupBy), 'text/csv;charset=utf-8', exportFileName(range, 'csv'));
      } else {
        const one = (v: string) => (v === ALL ? null : v);
        const text = usageJson({ range, rows, bucket, groupBy, breakdown: [...breakdown], filter: { accountId: one(filter.accountId), model: one(filter.model), key: one(filter.key) } });
        downloadText(text, 'application/json', exportFileName(range, 'json'));
      }
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="export" role="group" aria-label="Export what the filter shows">
      <button type="button" className="btn" data-testid="export-csv" disabled={busy || !query} onClick={() => void run('csv')}>
        Export CSV
      </button>
      <button type="button" className="btn" data-testid="export-json" disabled={busy || !query} onClick={() => void run('json')}>
        Export JSON
      </button>
      {error && (
        <p className="error-text" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
    </div>
  );
}
