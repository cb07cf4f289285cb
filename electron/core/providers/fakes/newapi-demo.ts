// The demo gateway key's request log: what `spendbar serve --demo` shows as per-model gateway usage.
import type { LogRow } from './newapi-routes.ts';

/** Two days of the demo key's requests (about $2 of its spend), seeded by the hour so they never change. */
export function demoNewApiLog(now: number, hours = 48): LogRow[] {
  const models = [
    { name: 'gpt-4o-mini', quota: 900, prompt: 1200, completion: 300 },
    { name: 'claude-sonnet-4', quota: 9000, prompt: 2500, completion: 600 },
    { name: 'deepseek-chat', quota: 1500, prompt: 3000, completion: 800 },
  ];
  const rows: LogRow[] = [];
  const last = Math.floor(now / 3_600_000);
  for (let h = last - hours + 1; h <= last; h++) {
    models.forEach((m, i) => {
      const n = Math.floor(((h * 2654435761 + i * 40503) >>> 0) % 5);
      for (let j = 0; j < n; j++) {
        const at = h * 3_600_000 + ((j * 997 + i * 131) % 3_600) * 1000;
        if (at > now) continue;
        rows.push({
          id: rows.length + 1, user_id: 1, created_at: Math.floor(at / 1000), type: 2, content: '', username: 'demo', token_name: 'demo', model_name: m.name,
          quota: m.quota + j * 37, prompt_tokens: m.prompt + j * 11, completion_tokens: m.completion + j * 5, use_time: 2, is_stream: true, channel: 1,
          channel_name: '', token_id: 1, group: 'default', ip: '', request_id: `demo-${h}-${i}-${j}`, other: JSON.stringify({ cache_tokens: Math.floor(m.prompt / 4), model_ratio: 1 }),
        });
      }
    });
  }
  return rows;
}

