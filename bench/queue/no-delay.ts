/**
 * A what-if for bench/queue.ts, not the deployed behaviour: TCP_NODELAY on every socket this
 * process opens from here on. mqtt.js opens its TCP connection without it
 * (mqtt/build/lib/connect/tcp.js), so an api server's small publishes wait under Nagle's
 * algorithm for the broker's ACK of the previous one; on a connection that carries nothing
 * back (claim-checked jobs: the replies and acks go elsewhere) that ACK is a delayed one.
 * The broker sets TCP_NODELAY on its side only (system/broker/app.ts).
 */
import net from 'node:net';

export function noDelayOnEveryConnect(): void {
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function (this: net.Socket, ...args: Parameters<typeof connect>) {
    const socket = connect.apply(this, args);
    this.setNoDelay(true);
    return socket;
  } as typeof connect;
}
