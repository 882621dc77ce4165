/**
 * Authentication and topic authorization for the broker. Every client must present
 * service credentials (`<role>:<id>` and its role's secret); each role may publish and
 * subscribe only to its own topics (system/lib/topics.ts). A refused subscription is
 * negated (SUBACK 128) rather than dropping the connection, so the client sees why.
 */
import type { Aedes, Client } from 'aedes';
import type { Logger } from 'pino';
import { mayPublish, maySubscribe, parseUsername, type Principal, type Role } from '../lib/topics.ts';
import { secretEquals } from '../lib/http/server.ts';

const principals = new WeakMap<Client, Principal>();

/** The authenticated principal of a connected client, if any. */
export const principalOf = (client: Client | null | undefined) => (client ? principals.get(client) : undefined);

export function installAuth(broker: Aedes, secrets: Record<Role, string>, log: Logger): void {
  broker.authenticate = (client, username, password, done) => {
    const p = parseUsername(username);
    const ok = !!p && !!password && secretEquals(password.toString('utf8'), secrets[p.role]);
    if (!ok) {
      log.warn({ clientId: client.id, username }, 'mqtt client refused: bad credentials');
      const err = Object.assign(new Error('bad credentials'), { returnCode: 5 as const });
      return done(err, false);
    }
    principals.set(client, p);
    done(null, true);
  };

  broker.authorizePublish = (client, packet, done) => {
    const p = principalOf(client);
    if (!p || !mayPublish(p, packet.topic)) {
      log.warn({ clientId: client?.id, topic: packet.topic }, 'mqtt publish refused');
      return done(new Error(`not allowed to publish to ${packet.topic}`));
    }
    done(null);
  };

  broker.authorizeSubscribe = (client, sub, done) => {
    const p = principalOf(client);
    if (!p || !maySubscribe(p, sub.topic)) {
      log.warn({ clientId: client?.id, topic: sub.topic }, 'mqtt subscription refused');
      return done(null, null);
    }
    done(null, sub);
  };
}
