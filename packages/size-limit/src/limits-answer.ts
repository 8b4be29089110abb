import type { AnySocket, Packet } from '@portcullis/core';
import type { PublicLimits } from './public-limits';

/**
 * Answers a client that asks for the limits (it sends the limits event), once per
 * connection: with its ack when it gave one, otherwise on the same event. Only the
 * sockets that asked are remembered, so a client that never asks costs nothing, and a
 * second ask is not answered here: it goes down the guard chain as any other message
 * (the rate limit counts it), so asking cannot be used to make the server write for free.
 */
export function limitsAnswerer(
  event: string,
  limits: PublicLimits,
): (socket: AnySocket, packet: Packet) => boolean {
  const answered = new WeakSet<AnySocket>();
  return (socket, packet) => {
    if (answered.has(socket)) return false;
    answered.add(socket);
    const ack: unknown = packet[packet.length - 1];
    if (packet.length > 1 && typeof ack === 'function') ack(limits);
    else socket.emit(event, limits);
    return true;
  };
}
