// A tiny line of recent values for a card: SVG, so the Overview needs no chart library for it.
export function Sparkline({ values, label, color, testId = 'sparkline' }: { values: readonly number[]; label: string; color: string; testId?: string }) {
  if (values.length < 2) return null;
  const w = 160;
  const h = 32;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const span = max - min || 1;
  const points = values.map((v, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(h - 2 - ((v - min) / span) * (h - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" data-testid={testId} viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={label}>
      <polyline points={points} fill="none" stroke={color} strokeWidth="2" vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
