/**
 * The slice of Consul's HTTP API that leader election needs: sessions, TTL checks,
 * `acquire`/`release` on a key, and blocking queries. Every call has a timeout, so a
 * partition from Consul shows up as a failed call within a bounded time, never a hang.
 */
import { NinesError } from './errors.ts';

export class ConsulError extends NinesError {
  constructor(message: string, opts: { cause?: unknown; status?: number } = {}) {
    super('ERR_CONSUL', 503, 'Consul unavailable', message, { cause: opts.cause, extra: { status: opts.status } });
  }
}

export interface KeyState {
  /** Decoded value, or undefined when the key does not exist. */
  value: string | undefined;
  /** Session holding the lock, if any. */
  session: string | undefined;
  /** Consul's LockIndex: bumped on every successful acquire. nines uses it as the epoch. */
  lockIndex: number;
  /** X-Consul-Index, for the next blocking query. */
  index: number;
}

export interface SessionSpec {
  name: string;
  ttl: string;
  lockDelay: string;
  nodeChecks: string[];
  behavior: 'release' | 'delete';
}

/**
 * Talks to one Consul agent at a time, from a list in order of preference (a local agent
 * first); when a call cannot reach it, the next call goes to the next one. Callers retry,
 * so losing one Consul server (even the Raft leader) costs a retry, not the service.
 */
export class ConsulClient {
  private readonly urls: string[];
  private current = 0;

  constructor(
    baseUrls: string | string[],
    private readonly timeoutMs = 1000,
  ) {
    this.urls = Array.isArray(baseUrls) ? baseUrls : baseUrls.split(',');
    if (this.urls.length === 0) throw new ConsulError('no Consul address given');
  }

  /** The agent calls go to now. */
  get agentUrl(): string {
    return this.urls[this.current]!;
  }

  /** Moves calls on to the next agent in the list, unless they have already left `url`. */
  skipAgent(url: string): void {
    if (this.agentUrl === url) this.current = (this.current + 1) % this.urls.length;
  }

  private async call(method: string, path: string, body?: unknown, o: { timeoutMs?: number; cancel?: AbortSignal } = {}): Promise<Response> {
    const { timeoutMs = this.timeoutMs, cancel } = o;
    let res: Response;
    const base = this.agentUrl;
    const timeout = AbortSignal.timeout(Math.max(1, Math.ceil(timeoutMs))); // it takes whole ms only
    try {
      res = await fetch(new URL(path, base), {
        method,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
        signal: cancel ? AbortSignal.any([cancel, timeout]) : timeout,
      });
    } catch (cause) {
      if (!cancel?.aborted) this.skipAgent(base); // the agent failed us; a caller's cancel says nothing of it
      throw new ConsulError(`${method} ${base}${path} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    if (res.status >= 500 || (res.status >= 400 && res.status !== 404)) {
      const text = await res.text().catch(() => '');
      throw new ConsulError(`${method} ${path} answered ${res.status}: ${text.slice(0, 200)}`, { status: res.status });
    }
    return res;
  }

  /** Registers (or replaces) a TTL check on the agent we talk to. */
  async registerTtlCheck(id: string, name: string, ttl: string, deregisterAfter?: string): Promise<void> {
    const r = await this.call('PUT', '/v1/agent/check/register', {
      ID: id,
      Name: name,
      TTL: ttl,
      Status: 'passing',
      ...(deregisterAfter ? { DeregisterCriticalServiceAfter: deregisterAfter } : {}),
    });
    await r.arrayBuffer();
  }

  async passCheck(id: string): Promise<void> {
    const r = await this.call('PUT', `/v1/agent/check/pass/${encodeURIComponent(id)}`);
    if (r.status === 404) throw new ConsulError(`check ${id} is not registered`, { status: 404 });
    await r.arrayBuffer();
  }

  /** IDs of the checks registered on the agent we talk to. */
  async agentCheckIds(): Promise<string[]> {
    return Object.keys((await (await this.call('GET', '/v1/agent/checks')).json()) as Record<string, unknown>);
  }

  async deregisterCheck(id: string): Promise<void> {
    await (await this.call('PUT', `/v1/agent/check/deregister/${encodeURIComponent(id)}`)).arrayBuffer();
  }

  async createSession(s: SessionSpec): Promise<string> {
    const r = await this.call('PUT', '/v1/session/create', {
      Name: s.name,
      TTL: s.ttl,
      LockDelay: s.lockDelay,
      NodeChecks: s.nodeChecks,
      Behavior: s.behavior,
    });
    return ((await r.json()) as { ID: string }).ID;
  }

  /** Renews a session's TTL; false when the session no longer exists (it was invalidated). */
  async renewSession(id: string): Promise<boolean> {
    const r = await this.call('PUT', `/v1/session/renew/${id}`);
    await r.arrayBuffer();
    return r.status === 200;
  }

  async destroySession(id: string, timeoutMs?: number): Promise<void> {
    await (await this.call('PUT', `/v1/session/destroy/${id}`, undefined, { timeoutMs })).arrayBuffer();
  }

  /** Tries to take the lock on `key` for `session`; true when we hold it. */
  async acquire(key: string, session: string, value: string): Promise<boolean> {
    const r = await this.call('PUT', `/v1/kv/${key}?acquire=${session}`, value);
    return (await r.text()).trim() === 'true';
  }

  /** Gives up `session`'s lock on `key`; false when that session did not hold it. */
  async release(key: string, session: string, timeoutMs?: number): Promise<boolean> {
    const r = await this.call('PUT', `/v1/kv/${key}?release=${session}`, '', { timeoutMs });
    return (await r.text()).trim() === 'true';
  }

  /**
   * Reads a key, consistently (a stale read after a leader change is what Jepsen found), as
   * a blocking query when `index` is given: returns when the key changes or `waitMs` passes,
   * or fails at once when `cancel` aborts.
   */
  async readKey(key: string, opts: { index?: number; waitMs?: number; cancel?: AbortSignal } = {}): Promise<KeyState> {
    const q = new URLSearchParams({ consistent: '' });
    if (opts.index !== undefined) {
      q.set('index', String(opts.index));
      q.set('wait', `${opts.waitMs ?? 5000}ms`);
    }
    // A blocking query may take up to wait + wait/16 of jitter; give the request room beyond it.
    const timeoutMs = opts.index !== undefined ? (opts.waitMs ?? 5000) * 1.1 + this.timeoutMs : this.timeoutMs;
    const r = await this.call('GET', `/v1/kv/${key}?${q}`, undefined, { timeoutMs, cancel: opts.cancel });
    const index = Number(r.headers.get('x-consul-index') ?? 0);
    if (r.status === 404) {
      await r.arrayBuffer();
      return { value: undefined, session: undefined, lockIndex: 0, index };
    }
    const [entry] = (await r.json()) as Array<{ Value: string | null; Session?: string; LockIndex: number }>;
    return {
      value: entry?.Value ? Buffer.from(entry.Value, 'base64').toString('utf8') : undefined,
      session: entry?.Session,
      lockIndex: entry?.LockIndex ?? 0,
      index,
    };
  }

  /** The Raft leader's address (`host:port`), or '' while there is none. */
  async raftLeader(): Promise<string> {
    return ((await (await this.call('GET', '/v1/status/leader')).json()) as string) ?? '';
  }

  /** The name of the agent's node (sessions are tied to it). */
  async nodeName(): Promise<string> {
    const r = await this.call('GET', '/v1/agent/self');
    return ((await r.json()) as { Config: { NodeName: string } }).Config.NodeName;
  }
}
