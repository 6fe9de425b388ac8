import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** The server's connections, so that closing it never waits on a client. */
export interface ConnectionTracker {
  /** Keeps a socket whose request will never be answered (a hang), to destroy it on close. */
  hold(socket: Socket): void;
  /**
   * Destroys the held sockets and every connection without a request in progress — including one
   * a client opened and never used, which Node's own close would wait on until it times out.
   * Requests in progress finish normally.
   */
  destroyHeldAndIdle(): void;
}

/** Starts tracking a server's connections and their requests in progress. */
export function trackConnections(server: Server): ConnectionTracker {
  const requestsInProgress = new Map<Socket, number>();
  const held = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    requestsInProgress.set(socket, 0);
    socket.once('close', () => {
      requestsInProgress.delete(socket);
      held.delete(socket);
    });
  });
  server.on('request', (request, response) => {
    const { socket } = request;
    requestsInProgress.set(socket, (requestsInProgress.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const count = requestsInProgress.get(socket);
      if (count !== undefined) requestsInProgress.set(socket, Math.max(0, count - 1));
    });
  });
  return {
    hold(socket) {
      if (!socket.destroyed) held.add(socket);
    },
    destroyHeldAndIdle() {
      for (const socket of held) socket.destroy();
      held.clear();
      for (const [socket, count] of requestsInProgress) if (count === 0) socket.destroy();
    },
  };
}
