// The bench's loopback LLM fake in a process of its own, so neither the client nor the proxy shares its CPU with it.
// argv[2] = "fast" (20 short chunks at once), "timed" (20 chunks 50 ms apart, each carrying its send time) or
// "slow:MS" (as fast, each answer after MS ms: a provider's time to generate).
import { performance } from 'node:perf_hooks';
import { startLlmFake } from '../../electron/core/providers/fakes/llm-api.ts';

const mode = process.argv[2] ?? 'fast';
const timed = mode === 'timed';
const answerDelayMs = mode.startsWith('slow:') ? Number(mode.slice(5)) : 0;
const fake = await startLlmFake(
  timed
    ? { chunks: Array.from({ length: 20 }, () => 'x'), chunkDelayMs: 50, chunkText: () => String(performance.timeOrigin + performance.now()) }
    : { chunks: Array.from({ length: 20 }, (_, i) => `w${i} `), answerDelayMs },
);
process.on('message', async (m: { type: string }) => {
  if (m.type === 'cpu') {
    const u = process.cpuUsage();
    process.send?.({ type: 'cpu', micros: u.user + u.system });
  } else if (m.type === 'stop') {
    await fake.close();
    process.exit(0);
  }
});
process.send?.({ type: 'ready', url: fake.url });
// A bench that stops early (an error, Ctrl-C) closes the IPC channel: go with it rather than linger.
process.on('disconnect', () => process.exit(0));
