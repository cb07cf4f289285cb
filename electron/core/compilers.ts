// V8's optimizing compilers (Maglev and TurboFan) and its baseline compiler (Sparkplug), turned on when sustained
// work arrives. `spendbar serve` starts with them off (bin/runtime.js): an idle monitor runs a poll round every few
// minutes, which the interpreter handles with less CPU than compiling would cost (a first start on a year of data
// took 1.1–1.3 s of CPU without the optimizing ones, 1.4–1.5 s with), and once a function got hot the compilers' own
// machine code (~8 MB of the node binary) stayed resident for the life of the process, as did Sparkplug's (~1.2 MiB
// of code space). Traffic through the metering proxy and Prometheus scrapes are different: there the optimized code
// is worth having (measured: a proxied request took ~60 % more CPU without it), so the first sustained use turns them
// on for good and V8 optimizes what gets hot from then on.
// A process started with V8's defaults (the desktop app, `spendbar poll`, tests) has them on already: nothing to do.
import { nodeV8 } from './lazy-builtins.ts';
import { log } from './log.ts';

/** The flags that turn the compilers off, as bin/runtime.js passes them, and the ones that turn them back on. */
const OFF_TO_ON: ReadonlyArray<readonly [off: string, on: string]> = [
  ['--no-maglev', '--maglev'],
  ['--no-turbofan', '--turbofan'],
  ['--no-sparkplug', '--sparkplug'],
];

/** Work (in proxied requests; a /metrics scrape weighs SCRAPE_WEIGHT) after which the compilers are turned on. */
export const HOT_WORK_THRESHOLD = 32;
/** A scrape renders and compresses the whole exposition: four of them count as much as the threshold. */
export const SCRAPE_WEIGHT = 8;

export interface CompilerSwitch {
  /** Sustained work happened (`weight` units of it); turns the compilers on once the threshold is reached. */
  note(weight?: number): void;
  /** True once the compilers are on (or were never off). */
  readonly on: boolean;
  /** Work noted so far (counted whether or not the compilers were off). */
  readonly work: number;
  /** Turns them on now: work known in advance to be heavy (the demo's month of history). */
  turnOn(): void;
}

export interface CompilerSwitchOptions {
  /** The process's V8 flags (default process.execArgv): the compilers are off when these say so. */
  execArgv?: readonly string[];
  setFlags?: (flags: string) => void;
  threshold?: number;
}

export function compilerSwitch(opts: CompilerSwitchOptions = {}): CompilerSwitch {
  const execArgv = opts.execArgv ?? process.execArgv;
  const setFlags = opts.setFlags ?? ((flags: string) => nodeV8().setFlagsFromString(flags));
  const threshold = opts.threshold ?? HOT_WORK_THRESHOLD;
  // The last of a flag and its opposite wins, as V8 reads them.
  const off = OFF_TO_ON.filter(([no, yes]) => execArgv.lastIndexOf(no) > execArgv.lastIndexOf(yes));
  let on = off.length === 0;
  let work = 0;
  const note = (weight = 1) => {
    work += weight;
    if (on || work < threshold) return;
    on = true;
    try {
      for (const [, yes] of off) setFlags(yes);
    } catch (err) {
      log.warn("spendbar: could not turn on V8's optimizing compilers:", err);
    }
  };
  return {
    note,
    turnOn: () => note(Math.max(0, threshold - work)),
    get on() {
      return on;
    },
    get work() {
      return work;
    },
  };
}

/** The process's switch: the proxy notes each request, the server each /metrics scrape. */
export const optimizingCompilers: CompilerSwitch = compilerSwitch();
