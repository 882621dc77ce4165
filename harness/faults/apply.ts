/**
 * Starts and heals the faults of a scenario's timeline. Every fault returns its own heal,
 * and `FaultInjector.healAll` runs every heal not yet run — the runner calls it in
 * `finally`, so faults heal in teardown whatever happened (Jepsen's nemesis teardown).
 */
import type { Toxic } from 'toxiproxy-node-client';
import type { SystemUnderTest } from '../model/system-under-test.ts';
import type { FaultSpec } from '../model/scenario.ts';
import { partition, heal } from './partition.ts';

type Heal = () => Promise<void>;

export class FaultInjector {
  private readonly heals = new Set<Heal>();

  constructor(
    private readonly sut: SystemUnderTest,
    private readonly say: (line: string) => void = () => undefined,
  ) {}

  /** Starts a fault; resolves with its heal (also registered for healAll). */
  async start(name: string, f: FaultSpec): Promise<Heal> {
    const h = await this.begin(f);
    let healed = false;
    const once: Heal = async () => {
      if (healed) return;
      healed = true;
      this.heals.delete(once);
      await h();
      this.say(`fault healed: ${name}`);
    };
    this.heals.add(once);
    this.say(`fault started: ${name}`);
    return once;
  }

  /** Heals everything still active; never throws (teardown must finish). */
  async healAll(): Promise<void> {
    for (const h of [...this.heals]) await h().catch((err) => this.say(`heal failed: ${(err as Error).message}`));
    await this.sut.toxiproxy?.reset().catch(() => undefined);
  }

  private async begin(f: FaultSpec): Promise<Heal> {
    switch (f.kind) {
      case 'kill': {
        const p = await this.sut.resolve(f);
        await p.kill();
        return async () => {
          if (f.restart && !p.running) await p.start();
        };
      }
      case 'stop': {
        const p = await this.sut.resolve(f);
        await p.stop();
        return async () => {
          if (f.restart && !p.running) await p.start();
        };
      }
      case 'pause': {
        const p = await this.sut.resolve(f);
        p.pause();
        return async () => p.resume();
      }
      case 'partition': {
        const tp = this.requireToxiproxy();
        const names = await this.sut.proxiesFor(f);
        await Promise.all(names.map((n) => partition(tp.client, n)));
        return async () => void (await Promise.all(names.map((n) => heal(tp.client, n))));
      }
      case 'toxic': {
        const tp = this.requireToxiproxy();
        const names = await this.sut.proxiesFor(f);
        const toxics: Array<Toxic<unknown>> = [];
        for (const n of names) {
          const proxy = await tp.client.get(n);
          toxics.push(
            await proxy.addToxic({
              name: `${f.toxic}-${f.stream ?? 'downstream'}`,
              type: f.toxic as never,
              stream: (f.stream ?? 'downstream') as never,
              toxicity: 1,
              attributes: f.attributes as never,
            }),
          );
        }
        return async () => void (await Promise.all(toxics.map((t) => t.remove())));
      }
    }
  }

  private requireToxiproxy() {
    if (!this.sut.toxiproxy) throw new Error("network faults need the 'ha' topology, where every path goes through Toxiproxy");
    return this.sut.toxiproxy;
  }
}
